""""Also carried by N outlets": each citation learns the other articles of its wire story.

Retrieval reads one article of a story (index/stories.py); the others are still known, and an
answer names them: only those out by the answer's as-of date, so a question about the past is
not told of copies that ran later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from bot.answer import Answer, Answerer, Citation, OtherCopy, ask_streaming
from index.archive import Archive, ArticleSummary
from index.versions import base_id

if TYPE_CHECKING:
    from bot.query import Query


def with_copies(answer: Answer, archive: Archive) -> Answer:
    """The answer with every citation's `copies` filled in, its points' included."""
    cited = [*answer.citations, *(p.citation for p in answer.points)]
    if not cited:
        return answer
    stories = {c.article_id: c.story or base_id(c.article_id) for c in cited}
    members = archive.story_members(list(dict.fromkeys(stories.values())))

    def named(citation: Citation) -> Citation:
        return replace(citation, copies=tuple(
            OtherCopy(m.id, m.title, m.source, m.url, m.published)
            for m in members.get(stories[citation.article_id], [])
            if m.id != base_id(citation.article_id) and _out_by(m, answer.as_of)
        ))

    return replace(answer, citations=[named(c) for c in answer.citations],
                   points=[replace(p, citation=named(p.citation)) for p in answer.points])


def _out_by(member: ArticleSummary, as_of: date | None) -> bool:
    first = member.published or member.available  # a corrected copy ran from its first version
    return as_of is None or first is None or first <= as_of


class CopiesNamed:
    """An answerer whose citations name the other outlets of their stories."""

    def __init__(self, inner: Answerer, archive: Archive) -> None:
        self.inner = inner
        self.archive = archive

    def ask(self, query: Query) -> Answer:
        return with_copies(self.inner.ask(query), self.archive)

    def ask_streaming(self, query: Query, on_text: Callable[[str], None]) -> Answer:
        """Drafts pass through unchanged (LLM mode, Slack); the final answer names the copies."""
        return with_copies(ask_streaming(self.inner, query, on_text), self.archive)
