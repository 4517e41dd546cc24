"""The last gate before display: every quote (a citation's, a composed answer's point's) must equal
the stored article text at its offsets."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answer import Answer, Answerer, Citation, ask_streaming
from index.archive import ArticleLookup
from index.models import Article

if TYPE_CHECKING:
    from bot.query import Query

log = logging.getLogger(__name__)


def is_verbatim(citation: Citation, article: Article | None) -> bool:
    return (
        article is not None
        and 0 <= citation.start < citation.end <= len(article.text)
        and article.text[citation.start : citation.end] == citation.quote
    )


def verified(answer: Answer, articles: ArticleLookup) -> Answer:
    """The answer with only verbatim citations and points; an answer left without any becomes an
    abstention. A composed answer whose lead was the quote of a dropped point leads with the first
    point left."""
    if not answer.citations and not answer.points:
        return answer
    cited = [*answer.citations, *(p.citation for p in answer.points)]
    stored = articles.get_articles(list(dict.fromkeys(c.article_id for c in cited)))
    bad: list[Citation] = []
    for citation in cited:
        if citation not in bad and not is_verbatim(citation, stored.get(citation.article_id)):
            bad.append(citation)
            log.error("dropped a citation that does not match article %s at %d:%d",
                      citation.article_id, citation.start, citation.end)
    if not bad:
        return answer
    good = [c for c in answer.citations if c not in bad]
    points = [p for p in answer.points if p.citation not in bad]
    dropped = len(answer.citations) - len(good) + sum(p.citation not in answer.citations for p in answer.points
                                                       if p not in points)
    notes = [*answer.notes, f"dropped {dropped} unverifiable citation(s)"]
    total = answer.dropped_citations + dropped
    if not good or (answer.points and not points):
        return replace(answer, answer=None, citations=[], sentence=None, notes=notes, dropped_citations=total,
                       points=[])
    lead = answer.answer
    if points and any(lead == c.quote for c in bad):
        lead = points[0].citation.quote
    return replace(answer, answer=lead, citations=good, points=points, notes=notes, dropped_citations=total)


class VerifyingAnswerer:
    """What front ends are handed: an answerer whose every answer has passed `verified`."""

    def __init__(self, inner: Answerer, articles: ArticleLookup) -> None:
        self.inner = inner
        self.articles = articles

    def ask(self, query: Query) -> Answer:
        return verified(self.inner.ask(query), self.articles)

    def ask_streaming(self, query: Query, on_text: Callable[[str], None]) -> Answer:
        """`on_text` gets the inner answerer's unverified text, if it streams; the Answer is verified."""
        return verified(ask_streaming(self.inner, query, on_text), self.articles)
