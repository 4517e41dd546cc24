"""Plain data passed between rooms: articles, their chunks and retrieved passages."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass(frozen=True)
class Article:
    """One news article with its full text, exactly as stored (citation offsets point into `text`)."""

    id: str
    title: str
    text: str
    published: date | None = None
    url: str | None = None
    source: str | None = None
    path: str | None = None  # file it came from, absolute; None for articles not read from files
    # When newsdesk got the text (its file's last modification, a fetch): stands in for the
    # publication date of an undated article in as-of questions, and is never shown as one.
    received: date | None = None

    @property
    def available(self) -> date | None:
        """From when the article may answer an as-of question: published, else received."""
        return self.published or self.received

    def content_hash(self) -> str:
        """Changes whenever anything a reader, a citation or an as-of filter would see changes."""
        fields: list[object] = [self.title, self.text, self.published.isoformat() if self.published else None,
                                self.url, self.source]
        if self.published is None and self.received is not None:
            fields.append(self.received.isoformat())
        payload = json.dumps(fields, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["received"] = self.received.isoformat() if self.received else None
        return data


@dataclass(frozen=True)
class Chunk:
    """A token-budgeted span of an article: `article.text[start:end] == text`."""

    article_id: str
    index: int
    start: int
    end: int
    text: str
    # Sentence boundaries inside the chunk, as absolute (start, end) offsets into the article text.
    sentences: tuple[tuple[int, int], ...] = field(default=())
    # Named entities (start, end, label) and noun phrases (start, end), also absolute offsets:
    # where the answerer looks for short answers. Empty when the chunk was not annotated.
    entities: tuple[tuple[int, int, str], ...] = field(default=())
    phrases: tuple[tuple[int, int], ...] = field(default=())


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its article's metadata.

    `score` is the cosine similarity of chunk and question (comparable across questions, used for
    abstention), 0 where none was computed (a chunk fetched by id without a query vector).
    `relevance` is the score its producer ranked it by: the fused dense + lexical + time score for
    `Retriever.search`, the BM25 score for `Retriever.keyword_search`, 0 straight from the store.
    """

    chunk_id: str
    article_id: str
    text: str
    start: int
    end: int
    score: float
    title: str
    published: date | None
    url: str | None
    source: str | None
    path: str | None
    sentences: tuple[tuple[int, int], ...] = field(default=())
    relevance: float = 0.0
    available: date | None = None  # its article's `available` day: what as-of filters compare
    entities: tuple[tuple[int, int, str], ...] = field(default=())  # as in Chunk
    phrases: tuple[tuple[int, int], ...] = field(default=())
