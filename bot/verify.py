"""The last gate before display: every quote must equal the stored article text at its offsets."""

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
    """The answer with only verbatim citations; an answer left without any becomes an abstention."""
    if not answer.citations:
        return answer
    stored = articles.get_articles([c.article_id for c in answer.citations])
    good: list[Citation] = []
    for citation in answer.citations:
        if is_verbatim(citation, stored.get(citation.article_id)):
            good.append(citation)
        else:
            log.error("dropped a citation that does not match article %s at %d:%d",
                      citation.article_id, citation.start, citation.end)
    if len(good) == len(answer.citations):
        return answer
    dropped = len(answer.citations) - len(good)
    notes = [*answer.notes, f"dropped {dropped} unverifiable citation(s)"]
    total = answer.dropped_citations + dropped
    if not good:
        return replace(answer, answer=None, citations=[], sentence=None, notes=notes, dropped_citations=total)
    return replace(answer, citations=good, notes=notes, dropped_citations=total)


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
