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

    def content_hash(self) -> str:
        """Changes whenever anything a reader or a citation would see changes."""
        payload = json.dumps(
            [self.title, self.text, self.published.isoformat() if self.published else None,
             self.url, self.source],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
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
    relevance: float = 0.0


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its article's metadata.

    `score` is the cosine similarity of chunk and question (comparable across questions, used for
    abstention); `relevance` is the fused ranking score (dense + lexical + time) that orders results.
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
