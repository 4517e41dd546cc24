"""Earlier versions of articles in Chroma (index/versions.py): `<prefix>_history` holds their
chunks with the vectors they had, `<prefix>_history_texts` their full texts.

They live apart from the current articles so that everything that reads only current texts
(listing, counts, ingest's comparisons, the common as-of query) costs what it did, and an index
written before versions existed needs no migration. A chunk of version N of article ID is
stored as `ID@vN:00003`, with `article_id` `ID@vN` and `until` the day it was replaced.

A version gets here either kept from the main collections (`keep`, when a changed text is
ingested) or written as it is, with chunks encoded anew (`write_chunks`, `finish`: a rebuilt index,
ingest/rebuild.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from index import chroma_pages as pages
from index.archive import ArticleState, date_int
from index.chroma_pages import chunks_by_id
from index.models import Article, Chunk, Passage
from index.records import article_from_record, article_metadata, chunk_id, passage_from_record
from index.versions import as_superseded, oldest_first, split_version_id, version_id

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import Metadata

    from index.encoders.embedder import Vectors

_PAGE = 5000


class ChromaHistory:
    def __init__(self, chunks: Collection, texts: Collection) -> None:
        self._chunks = chunks
        self._texts = texts

    @classmethod
    def open(cls, client: ClientAPI, prefix: str, metadata: dict[str, Any]) -> ChromaHistory:
        chunks = client.get_or_create_collection(
            f"{prefix}_history", metadata=metadata, embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
        )
        texts = client.get_or_create_collection(f"{prefix}_history_texts", metadata=metadata,
                                                embedding_function=None)
        return cls(chunks, texts)

    # -- writing

    def keep(self, chunks: Collection, articles: Collection, superseded: Sequence[tuple[str, date]],
             batch: int) -> dict[str, int]:
        """Copy the current version of each article from the main collections into the history.
        The text record is written last: it marks a kept version complete, so an interrupted
        keep is done again (and a version is never kept twice)."""
        kept: dict[str, int] = {}
        for article_id, day in superseded:
            found = articles.get(ids=[article_id], include=["documents", "metadatas"])
            if not found["ids"]:
                continue
            meta = (found["metadatas"] or [{}])[0]
            stored = article_from_record(article_id, (found["documents"] or [""])[0] or "", meta)
            key = version_id(article_id, stored.version)
            kept[article_id] = stored.version
            if self._texts.get(ids=[key], include=[])["ids"]:
                continue
            where: dict[str, Any] = {"$and": [{"article_id": article_id},
                                              {"content_hash": str(meta.get("content_hash", ""))}]}
            got = chunks.get(where=where, include=["documents", "metadatas", "embeddings"])
            vectors = got["embeddings"] if got["embeddings"] is not None else []
            ids: list[str] = []
            docs: list[str] = []
            metas: list[Metadata] = []
            for doc, chunk_meta in zip(got["documents"] or [], got["metadatas"] or []):
                ids.append(chunk_id(key, int(str(chunk_meta["index"]))))
                docs.append(doc or "")
                metas.append({**chunk_meta, "article_id": key, "until": date_int(day)})
            for i in range(0, len(ids), batch):
                self._chunks.upsert(ids=ids[i : i + batch], documents=docs[i : i + batch],
                                    metadatas=metas[i : i + batch],
                                    embeddings=np.asarray(vectors[i : i + batch], dtype=np.float32))
            version = as_superseded(stored, day)
            self._texts.upsert(ids=[key], documents=[version.text],
                               metadatas=[{**article_metadata(version, len(ids)), "of": article_id}],
                               embeddings=np.ones((1, 1), dtype=np.float32))
        return kept

    def write_chunks(self, items: Sequence[tuple[Article, Sequence[Chunk], Vectors]], batch: int) -> None:
        """Chunks of earlier versions (articles under `ID@vN`, `superseded` set), encoded anew."""
        pages.upsert_chunks(self._chunks, items, batch)

    def finish(self, done: Sequence[tuple[Article, int, bool]], annotated: str, batch: int) -> int:
        """Record earlier versions whose chunks are all written (see `ArchiveStore.finish_articles`)."""
        if not done:
            return 0
        removed = pages.delete_chunks_beyond(self._chunks, {a.id: n for a, n, more in done if more})
        for i in range(0, len(done), batch):
            part = done[i : i + batch]
            self._texts.upsert(
                ids=[a.id for a, _, _ in part], documents=[a.text for a, _, _ in part],
                metadatas=[{**article_metadata(a, n, annotated), "of": _of_version(a.id)} for a, n, _ in part],
                embeddings=np.ones((len(part), 1), dtype=np.float32),
            )
        return removed

    def delete(self, article_ids: Sequence[str]) -> int:
        """Every earlier version of these articles; returns chunks removed."""
        if not article_ids:
            return 0
        keys = self._keys_of(article_ids)
        removed = 0
        for i in range(0, len(keys), 500):
            where: dict[str, Any] = {"article_id": {"$in": keys[i : i + 500]}}
            removed += len(self._chunks.get(where=where, include=[])["ids"])
            self._chunks.delete(where=where)
            self._texts.delete(ids=keys[i : i + 500])
        return removed

    # -- reading

    def count(self) -> int:
        return self._chunks.count()

    def states(self, keys: Sequence[str]) -> dict[str, ArticleState]:
        return pages.article_states(self._texts, keys) if keys else {}

    def stored_chunks(self, keys: Sequence[str]) -> list[tuple[str, str, Vectors]]:
        return pages.stored_chunks(self._chunks, keys) if keys else []

    def articles(self) -> Iterator[Article]:
        """Every earlier version, with its text."""
        return pages.articles(self._texts)

    def _keys_of(self, article_ids: Sequence[str]) -> list[str]:
        """The version-qualified ids of every kept version of these articles."""
        return [key for i in range(0, len(article_ids), 500)
                for key in self._texts.get(where=_of(article_ids[i : i + 500]), include=[])["ids"]]

    def nearest(self, embedding: list[Sequence[float]], k: int, as_of: date,
                since: date | None) -> list[Passage]:
        """The k nearest chunks of versions that were current on `as_of` (and available since `since`)."""
        total = self._chunks.count()
        if k <= 0 or total == 0:
            return []
        clauses: list[dict[str, Any]] = [{"pub": {"$lte": date_int(as_of)}}, {"until": {"$gt": date_int(as_of)}}]
        if since is not None:
            clauses.append({"pub": {"$gte": date_int(since)}})
        result = self._chunks.query(query_embeddings=embedding, n_results=min(k, total), where={"$and": clauses},
                                    include=["documents", "metadatas", "distances"])
        return [
            passage_from_record(cid, doc or "", meta, 1.0 - float(dist))
            for cid, doc, meta, dist in zip(result["ids"][0], (result["documents"] or [[]])[0],
                                            (result["metadatas"] or [[]])[0], (result["distances"] or [[]])[0])
        ]

    def get_chunks(self, ids: Sequence[str], query: Sequence[float] | None) -> dict[str, Passage]:
        return chunks_by_id(self._chunks, ids, query)

    def all_chunks(self) -> Iterator[Passage]:
        for offset in range(0, self._chunks.count(), _PAGE):
            got = self._chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            for cid, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or []):
                yield passage_from_record(cid, doc or "", meta, 0.0)

    def get_articles(self, keys: Sequence[str]) -> dict[str, Article]:
        if not keys:
            return {}
        found = self._texts.get(ids=list(keys), include=["documents", "metadatas"])
        return {key: article_from_record(key, text or "", meta)
                for key, text, meta in zip(found["ids"], found["documents"] or [], found["metadatas"] or [])}

    def versions(self, article_id: str) -> list[Article]:
        return oldest_first(self.get_articles(self._keys_of([article_id])).values())


def _of(article_ids: Sequence[str]) -> Any:
    return {"of": {"$in": list(article_ids)}}


def _of_version(key: str) -> str:
    found = split_version_id(key)
    if found is None:
        raise ValueError(f"an earlier version is stored under ID@vN, not '{key}'")
    return found[0]
