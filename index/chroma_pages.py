"""What `ArchiveStore` reads from, writes to and deletes in one Chroma collection, page by page:
listing a large archive reads metadata only and never loads its texts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from index.archive import ArticleFilter, ArticleState, ArticleSummary, newest_first
from index.models import Article, Chunk, Passage
from index.records import (
    article_from_record,
    chunk_id,
    chunk_metadata,
    opt,
    passage_from_record,
    summary_from_record,
)

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import Metadata

    from index.encoders.embedder import Vectors

PAGE = 5000
TEXT_PAGE = 200  # full texts per read: a page of long articles stays a few MB


def article_states(articles: Collection, ids: Sequence[str] | None) -> dict[str, ArticleState]:
    if ids is not None:
        pages = [articles.get(ids=list(ids[i : i + PAGE]), include=["metadatas"]) for i in range(0, len(ids), PAGE)]
    else:
        pages = [articles.get(include=["metadatas"], limit=PAGE, offset=offset)
                 for offset in range(0, articles.count(), PAGE)]
    states: dict[str, ArticleState] = {}
    for page in pages:
        for article_id, meta in zip(page["ids"], page["metadatas"] or []):
            states[article_id] = ArticleState(
                article_id, str(meta.get("content_hash", "")), opt(meta.get("path")),
                str(meta.get("title", "")), opt(meta.get("url")), str(meta.get("annotated") or ""),
                opt(meta.get("source")),
            )
    return states


def article_summaries(articles: Collection, where: ArticleFilter | None) -> list[ArticleSummary]:
    summaries: dict[str, ArticleSummary] = {}
    for offset in range(0, articles.count(), PAGE):
        page = articles.get(include=["metadatas"], limit=PAGE, offset=offset)
        for article_id, meta in zip(page["ids"], page["metadatas"] or []):
            summary = summary_from_record(article_id, meta)
            if where is None or where.matches(summary):
                summaries[article_id] = summary
    return sorted(summaries.values(), key=newest_first)


def articles_from_path(articles: Collection, path: str) -> list[ArticleSummary]:
    if not path:
        return []
    found = articles.get(where={"path": path}, include=["metadatas"])
    return sorted(
        (summary_from_record(article_id, meta) for article_id, meta in zip(found["ids"], found["metadatas"] or [])),
        key=newest_first,
    )


def stored_chunks(chunks: Collection, article_ids: Sequence[str]) -> list[tuple[str, str, Vectors]]:
    out: list[tuple[str, str, Vectors]] = []
    for i in range(0, len(article_ids), 500):
        where: dict[str, Any] = {"article_id": {"$in": list(article_ids[i : i + 500])}}
        got = chunks.get(where=where, include=["documents", "metadatas", "embeddings"])
        vectors = got["embeddings"] if got["embeddings"] is not None else []
        for text, meta, vector in zip(got["documents"] or [], got["metadatas"] or [], vectors):
            out.append((str(meta.get("title", "")), text or "", np.asarray(vector, dtype=np.float32)))
    return out


def chunks_by_id(chunks: Collection, ids: Sequence[str], query: Sequence[float] | None) -> dict[str, Passage]:
    """Chunks by id, scored by cosine similarity to `query` when given (else 0)."""
    if not ids:
        return {}
    include: list[Any] = ["documents", "metadatas"] + (["embeddings"] if query is not None else [])
    got = chunks.get(ids=list(ids), include=include)
    vectors = got.get("embeddings")
    scores = (np.asarray(vectors, dtype=np.float32) @ np.asarray(query, dtype=np.float32)
              if query is not None and vectors is not None and len(vectors) else np.zeros(len(got["ids"])))
    return {cid: passage_from_record(cid, doc or "", meta, float(score))
            for cid, doc, meta, score in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], scores)}


def delete_chunks_beyond(chunks: Collection, kept: dict[str, int]) -> int:
    """Drop chunks left over from a longer earlier version of each article."""
    if not kept:
        return 0
    removed = 0
    ids = list(kept)
    for i in range(0, len(ids), 200):
        clauses = [{"$and": [{"article_id": a}, {"index": {"$gte": kept[a]}}]} for a in ids[i : i + 200]]
        where: dict[str, Any] = clauses[0] if len(clauses) == 1 else {"$or": clauses}
        stale = chunks.get(where=where, include=[])["ids"]
        if stale:
            chunks.delete(ids=stale)
            removed += len(stale)
    return removed


def articles(texts: Collection) -> Iterator[Article]:
    """Every article record of a collection with its full text, TEXT_PAGE at a time."""
    for offset in range(0, texts.count(), TEXT_PAGE):
        page = texts.get(include=["documents", "metadatas"], limit=TEXT_PAGE, offset=offset)
        for article_id, text, meta in zip(page["ids"], page["documents"] or [], page["metadatas"] or []):
            yield article_from_record(article_id, text or "", meta)


def upsert_chunks(chunks: Collection, items: Sequence[tuple[Article, Sequence[Chunk], Vectors]], batch: int) -> None:
    """Store chunks with their vectors, under `chunk_id(article.id, index)`."""
    ids: list[str] = []
    docs: list[str] = []
    metas: list[Metadata] = []
    for article, parts, _ in items:
        content_hash = article.content_hash()
        for chunk in parts:
            ids.append(chunk_id(article.id, chunk.index))
            docs.append(chunk.text)
            metas.append(chunk_metadata(article, chunk, content_hash))
    if not ids:
        return
    vectors = np.concatenate([vecs[: len(parts)] for _, parts, vecs in items]).astype(np.float32)
    for i in range(0, len(ids), batch):
        chunks.upsert(ids=ids[i : i + batch], documents=docs[i : i + batch], metadatas=metas[i : i + batch],
                      embeddings=vectors[i : i + batch])
