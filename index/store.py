"""The archive store: chunk vectors and full article texts in Chroma.

One index is a pair of collections, `<prefix>_chunks` (vectors + chunk text + offsets) and
`<prefix>_articles` (full text + metadata, the ground truth that citations are checked against).
The prefix is derived from the embedding model and chunking settings, so incompatible vectors can
never share a collection; the settings are also recorded in the collection metadata and checked.

An article record is written only after all its chunks, so it marks the article as complete.
"""

from __future__ import annotations

import uuid
from collections.abc import Container, Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from index import chroma_pages as pages
from index.archive import (
    ArticleFilter,
    ArticleState,
    ArticleSummary,
    IndexSpec,
    date_int,
    newest_first,
)
from index.chroma import list_collections, open_client, server_errors
from index.chroma_copies import ChromaCopies
from index.chroma_history import ChromaHistory
from index.chroma_rebuild import refuse_while_swapping
from index.errors import IndexMismatchError, StoreError
from index.fingerprint import SCHEME
from index.models import Article, Chunk, Fingerprint, Passage
from index.records import article_from_record, article_metadata, passage_from_record
from index.versions import split_version_id

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from index.encoders.embedder import Vectors

__all__ = ["ArchiveStore", "IndexSpec", "open_client"]  # the store, and what opening one takes

_PAGE = 5000
# As-of queries (see ArchiveStore.query): the first unfiltered fetch is OVERFETCH * k chunks,
# a second one at most WIDE_LIMIT, before Chroma's own filter is used.
OVERFETCH = 4
WIDE_LIMIT = 512
# A window of up to this many days is filtered as a list of its days: Chroma serves `$in` several
# times faster than a `$gte`/`$lte` range (30 vs 130 ms for two weeks of a 67k-chunk index).
WINDOW_DAYS_LISTED = 92


def _window_filter(since: date, until: date | None) -> dict[str, Any]:
    if until is not None and 0 <= (until - since).days < WINDOW_DAYS_LISTED:
        days = [date_int(since + timedelta(days=n)) for n in range((until - since).days + 1)]
        return {"pub": {"$in": days}}
    window: list[dict[str, Any]] = [{"pub": {"$gte": date_int(since)}}]
    if until is not None:
        window.append({"pub": {"$lte": date_int(until)}})
    return window[0] if len(window) == 1 else {"$and": window}


class ArchiveStore:
    """Articles and chunk vectors of one index. Create with `ArchiveStore.open`."""

    def __init__(self, client: ClientAPI, spec: IndexSpec, chunks: Collection, articles: Collection,
                 history: ChromaHistory, copies: ChromaCopies):
        self.client = client
        self.spec = spec
        self._chunks = chunks
        self._articles = articles
        self._history = history  # earlier versions (index/chroma_history.py)
        self._copies = copies  # wire-copy fingerprints (index/chroma_copies.py)

    @classmethod
    @server_errors
    def open(cls, client: ClientAPI, spec: IndexSpec) -> ArchiveStore:
        """Open (creating if needed) the index for `spec`; refuse one built with other settings,
        and a namespace whose old index an interrupted rebuild was replacing."""
        existing = {c.name: c for c in list_collections(client)}
        refuse_while_swapping(existing, spec.namespace)
        if f"{spec.prefix}_chunks" not in existing:
            others = [
                c for name, c in existing.items()
                if name.startswith(f"nd_{spec.namespace}_") and name.endswith("_chunks")
            ]
            if others:
                meta = others[0].metadata or {}
                backend = "+" in f"{meta.get('embed_model', '')}{spec.embed_model}"
                raise IndexMismatchError(
                    f"this data directory holds an index built with {IndexSpec.describe_metadata(meta)}, but "
                    f"the current settings ask for {spec.describe()}. Use the settings it was built with"
                    f"{' (NEWSDESK_EMBED_BACKEND names the encoder backend after the +)' if backend else ''}, "
                    "another --data-dir, or `newsdesk ingest --rebuild` to re-embed every stored article "
                    "with the current settings."
                )
        return cls.at(client, spec, spec.prefix)

    @classmethod
    @server_errors
    def at(cls, client: ClientAPI, spec: IndexSpec, prefix: str) -> ArchiveStore:
        """The index for `spec` in the collections `<prefix>_*`, created if needed, whatever other
        indexes the namespace holds (a rebuild reads the old ones and writes a new one:
        index/chroma_rebuild.py). Refuses collections built with other settings."""
        chunk_name, article_name = f"{prefix}_chunks", f"{prefix}_articles"
        try:
            chunks = client.get_or_create_collection(
                chunk_name,
                metadata=spec.metadata(),
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
            )
            articles = client.get_or_create_collection(
                article_name, metadata=spec.metadata(), embedding_function=None
            )
            history = ChromaHistory.open(client, prefix, spec.metadata())
            copies = ChromaCopies.open(client, prefix, SCHEME)  # fingerprints made another way go
        except Exception as exc:  # chromadb raises many types for a broken store
            raise StoreError(f"cannot open the index collections: {exc}") from exc
        stored = chunks.metadata or {}
        if stored.get("embed_model") != spec.embed_model or stored.get("chunk_tokens") != spec.chunk_tokens:
            raise IndexMismatchError(
                f"collection {chunk_name} was built with {IndexSpec.describe_metadata(stored)}; "
                f"refusing to use it with {spec.describe()}"
            )
        return cls(client, spec, chunks, articles, history, copies)

    # -- reading -----------------------------------------------------------------------------

    def revision(self) -> str:
        """Changes on every write; derived caches (the lexical index) compare it to know they are stale."""
        fresh = self.client.get_collection(self._articles.name, embedding_function=None)
        return str((fresh.metadata or {}).get("revision", ""))

    def _bump_revision(self) -> None:
        self._articles.modify(metadata={**self.spec.metadata(), "revision": uuid.uuid4().hex})

    def all_chunks(self, page: int = _PAGE) -> Iterator[Passage]:
        """Every chunk (score 0), page by page; those of earlier versions last."""
        total = self._chunks.count()
        for offset in range(0, total, page):
            got = self._chunks.get(include=["documents", "metadatas"], limit=page, offset=offset)
            for cid, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or []):
                yield passage_from_record(cid, doc or "", meta, 0.0)
        yield from self._history.all_chunks()

    @server_errors
    def counts(self) -> tuple[int, int]:
        return self._articles.count(), self._chunks.count()

    @server_errors
    def article_states(self, ids: Sequence[str] | None = None) -> dict[str, ArticleState]:
        """Content hash and path of stored articles: those in `ids` (earlier versions by `ID@vN`),
        or all current ones."""
        states = pages.article_states(self._articles, ids)
        return {**states, **self._history.states(_earlier_ids(ids, states))}

    @server_errors
    def article_summaries(self, where: ArticleFilter | None = None) -> list[ArticleSummary]:
        """Stored articles that pass `where` (all by default), newest first, then by title."""
        return pages.article_summaries(self._articles, where)

    @server_errors
    def articles_from_path(self, path: str) -> list[ArticleSummary]:
        """The articles read from the file at `path` (absolute, as stored), newest first."""
        return pages.articles_from_path(self._articles, path)

    @server_errors
    def stored_chunks(self, article_ids: Sequence[str]) -> list[tuple[str, str, Vectors]]:
        """(article title, chunk text, vector) of every stored chunk of these articles (earlier
        versions by `ID@vN`)."""
        return pages.stored_chunks(self._chunks, article_ids) + self._history.stored_chunks(
            _earlier_ids(article_ids, {}))

    def stored_articles(self) -> Iterator[Article]:
        """Every stored article with its text, a page at a time: the current ones, then the
        earlier versions (ids `ID@vN`)."""
        yield from pages.articles(self._articles)
        yield from self._history.articles()

    @server_errors
    def get_articles(self, ids: Iterable[str]) -> dict[str, Article]:
        """Current articles by id, and earlier versions by `ID@vN` (a current id wins a clash)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        found = self._articles.get(ids=wanted, include=["documents", "metadatas"])
        articles = {
            article_id: article_from_record(article_id, text or "", meta)
            for article_id, text, meta in zip(found["ids"], found["documents"] or [], found["metadatas"] or [])
        }
        versions = [key for key in wanted if key not in articles and split_version_id(key)]
        return {**articles, **self._history.get_articles(versions)}

    def get_article(self, article_id: str) -> Article | None:
        return self.get_articles([article_id]).get(article_id)

    @server_errors
    def query(
        self, vector: Sequence[float], k: int, as_of: date | None = None, since: date | None = None
    ) -> list[Passage]:
        """Nearest chunks by cosine similarity, never from articles published after `as_of`
        (nor before `since`: a time window, which Chroma's filter serves cheaply as few chunks
        pass it, a list of days cheaper still).

        Chroma's `where` filter costs a metadata scan that grows with the number of chunks it
        lets through (hundreds of ms at 50k chunks on a busy machine), while most questions are
        about the present, when few of the nearest chunks are too new. So the nearest
        `OVERFETCH * k` are fetched unfiltered and the allowed ones kept; if too few survive, a
        wider unfiltered fetch sized by the share that did (up to `WIDE_LIMIT`); only then the
        `where` filter, which is cheap exactly when few chunks pass it. Every path returns the k
        nearest allowed chunks.
        """
        if k <= 0:
            return []
        embedding: list[Sequence[float]] = [[float(x) for x in vector]]
        current = self._current(embedding, k, as_of, since)
        if as_of is None or not self._history.count():
            return current
        earlier = self._history.nearest(embedding, k, as_of, since)  # versions current on `as_of`
        return sorted(current + earlier, key=lambda p: p.score, reverse=True)[:k]

    def _current(self, embedding: list[Sequence[float]], k: int, as_of: date | None,
                 since: date | None) -> list[Passage]:
        if since is not None:
            return self._nearest(embedding, k, _window_filter(since, as_of))
        if as_of is None:
            return self._nearest(embedding, k, None)
        wanted = k * OVERFETCH
        while True:
            wide = self._nearest(embedding, wanted, None)
            allowed = [p for p in wide if p.available is None or p.available <= as_of]
            if len(allowed) >= k or len(wide) < wanted:  # enough, or the whole index was seen
                return allowed[:k]
            share = max(len(allowed), 1) / len(wide)
            wider = min(WIDE_LIMIT, int(2 * k / share))
            if wider <= wanted:
                break
            wanted = wider
        not_after: dict[str, Any] = {"pub": {"$lte": date_int(as_of)}}
        return self._nearest(embedding, k, not_after)

    def _nearest(self, embedding: list[Sequence[float]], k: int, where: dict[str, Any] | None) -> list[Passage]:
        result = self._chunks.query(
            query_embeddings=embedding,
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        ids = result["ids"][0]
        docs = (result["documents"] or [[]])[0]
        metas = (result["metadatas"] or [[]])[0]
        dists = (result["distances"] or [[]])[0]
        return [
            passage_from_record(chunk_id, doc or "", meta, 1.0 - float(dist))
            for chunk_id, doc, meta, dist in zip(ids, docs, metas, dists)
        ]

    @server_errors
    def get_chunks(self, ids: Sequence[str], query: Sequence[float] | None = None) -> list[Passage]:
        """Chunks by id, in the given order; scored by cosine similarity to `query` when given."""
        if not ids:
            return []
        # An earlier version's chunk id ends in `@vN:00003` (index/chroma_history.py).
        found = self._history.get_chunks([i for i in ids if split_version_id(i.rsplit(":", 1)[0])], query)
        found.update(pages.chunks_by_id(self._chunks, [i for i in ids if i not in found], query))
        return [found[i] for i in ids if i in found]

    # -- writing -----------------------------------------------------------------------------

    @server_errors
    def write(
        self, items: Sequence[tuple[Article, Sequence[Chunk], Vectors]], fresh: Iterable[str] = (),
        annotated: str = "",
    ) -> int:
        """Store whole articles with their chunks and vectors; replaces earlier versions.
        Returns chunks removed. `fresh` names articles known to have nothing stored yet."""
        if not items:
            return 0
        self.write_chunks(items)
        new = set(fresh)
        return self.finish_articles([(a, len(c), a.id not in new) for a, c, _ in items], annotated)

    @server_errors
    def write_chunks(self, items: Sequence[tuple[Article, Sequence[Chunk], Vectors]]) -> None:
        """Store chunks and their vectors (part of an article is fine). Until `finish_articles`
        records the article, they are leftovers that a later ingest of it reuses. An earlier
        version (`superseded` set, id `ID@vN`) goes among the versions."""
        if not items:
            return
        batch = max(1, self.client.get_max_batch_size())
        pages.upsert_chunks(self._chunks, [i for i in items if i[0].superseded is None], batch)
        self._history.write_chunks([i for i in items if i[0].superseded is not None], batch)
        self._bump_revision()

    @server_errors
    def finish_articles(self, done: Sequence[tuple[Article, int, bool]], annotated: str = "") -> int:
        """Record articles whose `n` chunks are all stored, which makes them complete; where
        `may_have_more` is set, drop chunks left over beyond `n` first. Returns chunks removed."""
        if not done:
            return 0
        batch = max(1, self.client.get_max_batch_size())
        removed = self._history.finish([d for d in done if d[0].superseded is not None], annotated, batch)
        done = [d for d in done if d[0].superseded is None]
        removed += pages.delete_chunks_beyond(self._chunks, {a.id: n for a, n, may_have_more in done if may_have_more})
        self._bump_revision()
        for i in range(0, len(done), batch):
            part = done[i : i + batch]
            self._articles.upsert(
                ids=[a.id for a, _, _ in part],
                documents=[a.text for a, _, _ in part],
                metadatas=[article_metadata(a, n, annotated) for a, n, _ in part],
                embeddings=np.ones((len(part), 1), dtype=np.float32),  # a document store: no vectors
            )
        self._copies.put([a.fingerprint for a, _, _ in done if a.fingerprint is not None], batch)
        return removed

    @server_errors
    def keep_versions(self, superseded: Sequence[tuple[str, date]]) -> dict[str, int]:
        if not superseded:
            return {}
        kept = self._history.keep(self._chunks, self._articles, superseded,
                                  max(1, self.client.get_max_batch_size()))
        self._bump_revision()
        return kept

    @server_errors
    def article_versions(self, article_id: str) -> list[Article]:
        return self._history.versions(article_id)

    # -- wire copies (index/chroma_copies.py) -----------------------------------------------

    @server_errors
    def fingerprints_sharing(self, bands: Sequence[Sequence[int]]) -> list[Fingerprint]:
        return self._copies.sharing(bands)

    @server_errors
    def unfingerprinted(self) -> list[str]:
        return self._copies.missing(self._articles)

    @server_errors
    def record_fingerprints(self, fingerprints: Sequence[Fingerprint]) -> None:
        self._copies.record(fingerprints, self._chunks, self._articles, max(1, self.client.get_max_batch_size()))
        self._bump_revision()

    @server_errors
    def story_members(self, stories: Sequence[str]) -> dict[str, list[ArticleSummary]]:
        return {story: sorted(found, key=newest_first)
                for story, found in self._copies.members(self._articles, stories).items()}

    @server_errors
    def relocate(self, article_id: str, path: str | None) -> None:
        """Record a new file location for an unchanged article (no re-embedding)."""
        chunk_ids = self._chunks.get(where={"article_id": article_id}, include=[])["ids"]
        if chunk_ids:
            self._chunks.update(ids=chunk_ids, metadatas=[{"path": path or ""}] * len(chunk_ids))
        self._articles.update(ids=[article_id], metadatas=[{"path": path or ""}])
        self._bump_revision()

    @server_errors
    def delete_articles(self, article_ids: Sequence[str]) -> int:
        """Remove articles and all their chunks. Returns chunks removed."""
        if not article_ids:
            return 0
        removed = self._history.delete(article_ids)
        for i in range(0, len(article_ids), 500):
            part = list(article_ids[i : i + 500])
            where: dict[str, Any] = {"article_id": {"$in": part}}
            removed += len(self._chunks.get(where=where, include=[])["ids"])
            self._chunks.delete(where=where)
            self._articles.delete(ids=part)
            self._copies.delete(part)
        self._bump_revision()
        return removed


def _earlier_ids(ids: Sequence[str] | None, found: Container[str]) -> list[str]:
    """The ids among `ids` that name an earlier version (`ID@vN`) and are not in `found`."""
    return [i for i in ids or () if i not in found and split_version_id(i)]
