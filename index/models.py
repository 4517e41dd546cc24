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
    # Versions (index/versions.py): a change of text makes the next version; earlier ones are kept.
    version: int = 1
    revised: date | None = None  # the day this version replaced the one before; None for a first version
    superseded: date | None = None  # the day a later version replaced this one; None for the current text
    # The wire story it belongs to (ingest/copies.py): the id of the first stored article of the story.
    story: str | None = None
    # Its MinHash fingerprint, set by ingest for the store to keep; not part of what the article says.
    fingerprint: Fingerprint | None = field(default=None, compare=False, repr=False)

    @property
    def available(self) -> date | None:
        """From when this text may answer an as-of question: published, else received; a later
        version not before the day it replaced the one before."""
        first = self.published or self.received
        if self.revised is not None and (first is None or self.revised > first):
            return self.revised
        return first

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
        data.pop("fingerprint")
        for name in ("published", "received", "revised", "superseded"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        return data


@dataclass(frozen=True)
class Fingerprint:
    """What wire-copy detection keeps of an article (ingest/copies.py): a MinHash signature of its
    word shingles, how many distinct shingles it has, the LSH band keys that find its look-alikes,
    and the story it was put in."""

    article_id: str
    story: str
    signature: bytes  # the MinHash values, little-endian uint32
    shingles: int
    bands: tuple[int, ...]
    day: date | None = None  # the article's `available` day: copies of a story run within days


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
    version: int = 1  # of its article's text (index/versions.py)
    superseded: date | None = None  # set when it is from an earlier version: the day that one was replaced
    story: str | None = None  # its article's wire story (ingest/copies.py); None: a story of its own
