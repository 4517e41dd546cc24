"""The answerer contract: a `Query` in, an `Answer` out. Answers are data: the citations are
objects with exact offsets, never markers parsed from prose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from index.models import Passage

if TYPE_CHECKING:
    from bot.query import Query


@dataclass(frozen=True)
class OtherCopy:
    """Another stored article of a cited article's wire story (ingest/copies.py)."""

    article_id: str
    title: str
    source: str | None
    url: str | None
    published: date | None

    def to_json(self) -> dict[str, object]:
        return {"article_id": self.article_id, "title": self.title, "source": self.source, "url": self.url,
                "published": self.published.isoformat() if self.published else None}


@dataclass(frozen=True)
class Citation:
    """A verbatim quote: `article.text[start:end] == quote` for the stored article.

    The quote of an earlier version of an article (`superseded` set) carries the version's own
    id, `ID@vN` (index/versions.py), so that it is checked against the text it was quoted from.
    """

    article_id: str
    title: str
    published: date | None
    url: str | None
    source: str | None
    path: str | None
    quote: str
    start: int
    end: int
    score: float = 0.0
    version: int = 1  # of the article's text
    superseded: date | None = None  # for an earlier version: the day a later one replaced it
    story: str | None = None  # the wire story of the article (ingest/copies.py)
    copies: tuple[OtherCopy, ...] = ()  # other articles of that story, as of the answer's date (bot/copies.py)

    @classmethod
    def from_passage(cls, passage: Passage, start: int, end: int, score: float) -> Citation:
        """A quote of article[start:end], where the span lies inside the passage."""
        return cls(
            article_id=passage.article_id,
            title=passage.title,
            published=passage.published,
            url=passage.url,
            source=passage.source,
            path=passage.path,
            quote=passage.text[start - passage.start : end - passage.start],
            start=start,
            end=end,
            score=score,
            version=passage.version,
            superseded=passage.superseded,
            story=passage.story,
        )

    @property
    def other_outlets(self) -> list[str]:
        """The outlets (sources) other than this one's that carried the same story."""
        return sorted({c.source or c.article_id for c in self.copies} - {self.source or self.article_id})

    def to_json(self) -> dict[str, object]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "source": self.source,
            "path": self.path,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "version": self.version,
            "superseded": self.superseded.isoformat() if self.superseded else None,
            "story": self.story,
            "also_carried_by": [c.to_json() for c in self.copies],
        }


@dataclass(frozen=True)
class Point:
    """One item of a composed answer (an overview's point, a timeline's event...): a verified
    quote and the date it is about (the event's own date where the text gives one).

    `note` is what the point says in a few words of newsdesk's or the model's, shown before its
    quote: the members a list's quote names, or the model's own sentence in LLM mode (which its
    quote supports); empty when the quote says it all."""

    citation: Citation
    date: date | None = None
    note: str = ""

    @property
    def text(self) -> str:
        return self.note or self.citation.quote

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "date": self.date.isoformat() if self.date else None,
                "article_id": self.citation.article_id, "citation": self.citation.to_json()}


@dataclass(frozen=True)
class LLMTrace:
    """What LLM mode did for one question: shown with `ask --json`, counted by evals."""

    fallback: str | None  # why the extractive answer was shown instead (a key); None if the model's was
    requests: int  # sent to the endpoint
    prompt_tokens: int | None  # of the last request: the server's count, else newsdesk's estimate
    passages: int  # passages in the last prompt
    seconds: float  # waiting for the endpoint

    def to_json(self) -> dict[str, object]:
        return {"fallback": self.fallback, "requests": self.requests, "prompt_tokens": self.prompt_tokens,
                "passages": self.passages, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class Answer:
    """The outcome of a question. `abstained` is the explicit "not in the archive" outcome."""

    question: str
    answer: str | None
    citations: list[Citation]
    as_of: date | None = None  # always set by the answerers (the query's); None only in old records
    sentence: str | None = None  # the full supporting sentence, when the answer is a shorter span
    score: float = 0.0
    mode: str = "extractive"
    notes: list[str] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)  # article ids in retrieval order
    dropped_citations: int = 0  # citations removed because they could not be verified
    llm: LLMTrace | None = None  # set in LLM mode, whichever answer is shown
    shape: str = "factoid"  # language.shapes.Shape: the shape of answer the question asked for
    points: list[Point] = field(default_factory=list)  # a composed answer's items, in display order

    @property
    def abstained(self) -> bool:
        return self.answer is None

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "sentence": self.sentence,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "score": round(self.score, 4),
            "mode": self.mode,
            "notes": self.notes,
            "dropped_citations": self.dropped_citations,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": self.retrieved,
            "shape": self.shape,
            "points": [p.to_json() for p in self.points],
            **({"llm": self.llm.to_json()} if self.llm else {}),
        }


class Answerer(Protocol):
    """Anything that answers a query: the extractive answerer, the LLM answerer, and the
    verifying wrapper the runtime hands to front ends."""

    def ask(self, query: Query) -> Answer: ...


@runtime_checkable
class StreamingAnswerer(Protocol):
    """An answerer that can show its answer as it is written (LLM mode): `on_text(answer_so_far)`
    gets unverified text, to show as provisional; the returned Answer replaces it."""

    def ask(self, query: Query) -> Answer: ...

    def ask_streaming(self, query: Query, on_text: Callable[[str], None]) -> Answer: ...


def ask_streaming(answerer: Answerer, query: Query, on_text: Callable[[str], None]) -> Answer:
    """`answerer`'s answer, streamed through `on_text` when it can stream (wrappers use this
    to pass drafts through); otherwise answered at once and `on_text` is never called."""
    if isinstance(answerer, StreamingAnswerer):
        return answerer.ask_streaming(query, on_text)
    return answerer.ask(query)
