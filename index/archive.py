"""What the rest of the house needs from an archive store: the protocol, and the small data
types it speaks. `index.store.ArchiveStore` (Chroma) and `index.memory_store.MemoryStore` (for
unit tests) implement it; another store is one more implementation, chosen in the runtime.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from index.encoders.embedder import Vectors
from index.models import Article, Chunk, Fingerprint, Passage

INDEX_FORMAT = 1


@dataclass(frozen=True)
class IndexSpec:
    """What makes vectors comparable: same model, same chunking. `namespace` separates archives."""

    embed_model: str
    chunk_tokens: int
    overlap_sentences: int
    encoding: str
    namespace: str = "main"

    def key(self) -> str:
        payload = json.dumps(
            [INDEX_FORMAT, self.embed_model, self.chunk_tokens, self.overlap_sentences, self.encoding]
        )
        return hashlib.sha1(payload.encode()).hexdigest()[:10]

    @property
    def prefix(self) -> str:
        return f"nd_{self.namespace}_{self.key()}"

    @staticmethod
    def prefixes(namespace: str) -> str:
        """A glob pattern that matches the prefix of every index of `namespace`, any settings."""
        return f"nd_{namespace}_" + "?" * 10

    def metadata(self) -> dict[str, str | int]:
        return {
            "newsdesk_format": INDEX_FORMAT,
            "embed_model": self.embed_model,
            "chunk_tokens": self.chunk_tokens,
            "overlap_sentences": self.overlap_sentences,
            "encoding": self.encoding,
            "namespace": self.namespace,
        }

    def describe(self) -> str:
        return (
            f"model {self.embed_model}, chunks of {self.chunk_tokens} {self.encoding} tokens, "
            f"overlap {self.overlap_sentences} sentence(s)"
        )

    @classmethod
    def from_metadata(cls, meta: Mapping[str, object], namespace: str) -> IndexSpec:
        """The spec an index's collection metadata records (`metadata()`)."""
        return cls(str(meta.get("embed_model", "")), int(str(meta.get("chunk_tokens", 0))),
                   int(str(meta.get("overlap_sentences", 0))), str(meta.get("encoding", "")), namespace)

    @staticmethod
    def describe_metadata(meta: Mapping[str, object]) -> str:
        """`describe()` of the spec a collection's metadata records."""
        return (
            f"model {meta.get('embed_model', '?')}, chunks of {meta.get('chunk_tokens', '?')} "
            f"{meta.get('encoding', '?')} tokens, overlap {meta.get('overlap_sentences', '?')} sentence(s)"
        )


@dataclass(frozen=True)
class ArticleState:
    """What ingest needs to know of a stored article to decide what to do with a new version."""

    id: str
    content_hash: str
    path: str | None
    title: str = ""
    url: str | None = None
    annotated: str = ""  # the version of the annotator its chunks carry ("": not annotated)
    source: str | None = None


@dataclass(frozen=True)
class ArticleSummary:
    """A stored article without its text: what `newsdesk articles` lists."""

    id: str
    title: str
    published: date | None
    url: str | None
    source: str | None
    path: str | None
    chunks: int
    available: date | None = None  # from when it may answer as-of questions (index/models.Article)
    story: str | None = None  # its wire story (ingest/copies.py)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "source": self.source,
            "path": self.path,
            "chunks": self.chunks,
        }


@dataclass(frozen=True)
class ArticleFilter:
    """Which summaries to keep; every condition given must hold. Text matches ignore case, except paths.

    A date bound leaves undated articles out: nobody knows whether they fall inside it.
    """

    since: date | None = None
    until: date | None = None
    source: str | None = None  # contained in the source
    title_words: tuple[str, ...] = ()  # each contained in the title
    path: str | None = None  # contained in the stored path

    def matches(self, summary: ArticleSummary) -> bool:
        published = summary.published
        if self.since or self.until:
            if published is None or (self.since and published < self.since) or (
                self.until and published > self.until
            ):
                return False
        if self.source and self.source.casefold() not in (summary.source or "").casefold():
            return False
        title = summary.title.casefold()
        if any(word.casefold() not in title for word in self.title_words):
            return False
        return not self.path or self.path in (summary.path or "")


def newest_first(summary: ArticleSummary) -> tuple[int, str, str]:
    return (-date_int(summary.published), summary.title.casefold(), summary.id)


def date_int(value: date | None) -> int:
    return value.year * 10000 + value.month * 100 + value.day if value else 0




class ArticleLookup(Protocol):
    """Stored articles by id: the ground truth that citations are checked against."""

    def get_articles(self, ids: Sequence[str]) -> dict[str, Article]:
        """By id; an id `ID@vN` (index/versions.py) gives that earlier version of article ID."""
        ...


class Archive(ArticleLookup, Protocol):
    """One index: chunk vectors with their text and offsets, and the full articles.

    An article is recorded (`finish_articles`) only after all its chunks are stored, so a
    recorded article is complete; chunks without one are leftovers of an interrupted ingest.
    """

    spec: IndexSpec

    # -- reading
    def revision(self) -> str:
        """Changes on every write; derived caches (the lexical index) compare it."""
        ...

    def counts(self) -> tuple[int, int]:
        """(articles, chunks)."""
        ...

    def all_chunks(self) -> Iterator[Passage]:
        """Every stored chunk (score 0), page by page."""
        ...

    def query(self, vector: Sequence[float], k: int, as_of: date | None = None,
              since: date | None = None) -> list[Passage]:
        """The k nearest chunks by cosine similarity (`score`), never from articles available
        after `as_of`, nor before `since`."""
        ...

    def get_chunks(self, ids: Sequence[str], query: Sequence[float] | None = None) -> list[Passage]:
        """Chunks by id, in that order; scored by cosine similarity to `query` when given."""
        ...

    def get_article(self, article_id: str) -> Article | None: ...

    def article_states(self, ids: Sequence[str] | None = None) -> dict[str, ArticleState]: ...

    def article_summaries(self, where: ArticleFilter | None = None) -> list[ArticleSummary]: ...

    def articles_from_path(self, path: str) -> list[ArticleSummary]: ...

    def stored_chunks(self, article_ids: Sequence[str]) -> list[tuple[str, str, Vectors]]:
        """(article title, chunk text, vector) of every stored chunk of these articles."""
        ...

    def stored_articles(self) -> Iterator[Article]:
        """Every stored article with its text, a page at a time: the current ones, then the
        earlier versions (ids `ID@vN`). What a rebuild encodes again (ingest/rebuild.py)."""
        ...

    # -- earlier versions (index/versions.py): `query`, `get_chunks`, `get_articles` and
    # `all_chunks` serve them too, each only within the days it was the current text
    def article_versions(self, article_id: str) -> list[Article]:
        """The earlier versions of an article, oldest first (ids `ID@vN`)."""
        ...

    # -- wire copies (ingest/copies.py)
    def fingerprints_sharing(self, bands: Sequence[Sequence[int]]) -> list[Fingerprint]:
        """Stored fingerprints that share a band key (at the same position) with any of these."""
        ...

    def unfingerprinted(self) -> list[str]:
        """Ids of stored articles without a fingerprint (stored before copies were detected)."""
        ...

    def story_members(self, stories: Sequence[str]) -> dict[str, list[ArticleSummary]]:
        """The stored current articles of each story, by story."""
        ...

    # -- writing
    def write(self, items: Sequence[tuple[Article, Sequence[Chunk], Vectors]], fresh: Iterable[str] = (),
              annotated: str = "") -> int: ...

    def write_chunks(self, items: Sequence[tuple[Article, Sequence[Chunk], Vectors]]) -> None:
        """Store chunks of articles. An earlier version (`superseded` set, id `ID@vN`: a rebuild
        writes them as they are) goes among the versions, here and in `finish_articles`."""
        ...

    def finish_articles(self, done: Sequence[tuple[Article, int, bool]], annotated: str = "") -> int:
        """Record articles whose `n` chunks are all stored (annotated by `annotated`), dropping
        leftover chunks beyond `n` where the flag says there may be some; returns chunks removed."""
        ...

    def keep_versions(self, superseded: Sequence[tuple[str, date]]) -> dict[str, int]:
        """Keep the current version of each article (id, day a new one replaces it) as an earlier
        version, chunks and vectors included, before the new one is written; returns the version
        number kept per id. Idempotent: a version already kept is not kept twice."""
        ...

    def record_fingerprints(self, fingerprints: Sequence[Fingerprint]) -> None:
        """Keep fingerprints of stored articles, and put each article (and its chunks) in its story."""
        ...

    def relocate(self, article_id: str, path: str | None) -> None: ...

    def delete_articles(self, article_ids: Sequence[str]) -> int:
        """Remove articles, their chunks, earlier versions and fingerprints. Returns chunks removed."""
        ...


class Rebuild(Protocol):
    """A new index for the current settings, filled from the stored indexes of the archive (any
    settings), which it replaces only at `finish` (index/chroma_rebuild.py, ingest/rebuild.py)."""

    @property
    def target(self) -> Archive: ...

    @property
    def sources(self) -> Sequence[Archive]:
        """The stored indexes, the current settings' first."""
        ...

    @property
    def complete(self) -> tuple[int, int] | None:
        """(articles, earlier versions) when the new index was complete already: only `finish` is left."""
        ...

    def finish(self, articles: int, versions: int) -> list[str]:
        """Replace the stored indexes by the new one, which holds every article; returns their prefixes."""
        ...
