"""Articles, chunks and passages as Chroma records (metadata dictionaries), and back."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from index.archive import ArticleSummary, date_int
from index.models import Article, Chunk, Passage

if TYPE_CHECKING:
    from chromadb.api.types import Metadata


def chunk_id(article_id: str, index: int) -> str:
    return f"{article_id}:{index:05d}"


def article_of(chunk_id: str) -> str:
    """The (possibly version-qualified) id of the article a chunk id belongs to."""
    return chunk_id.rsplit(":", 1)[0]


def chunk_metadata(article: Article, chunk: Chunk, content_hash: str) -> Metadata:
    return {
        "article_id": article.id,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "content_hash": content_hash,
        "title": article.title,
        "published": article.published.isoformat() if article.published else "",
        "received": article.received.isoformat() if article.received else "",
        "pub": date_int(article.available),  # what as-of and window filters compare
        "url": article.url or "",
        "source": article.source or "",
        "path": article.path or "",
        "sentences": json.dumps([list(s) for s in chunk.sentences]),
        "entities": json.dumps([list(e) for e in chunk.entities], ensure_ascii=False),
        "phrases": json.dumps([list(p) for p in chunk.phrases]),
        **_version_metadata(article),
    }


def article_metadata(article: Article, n_chunks: int, annotated: str = "") -> Metadata:
    return {
        "annotated": annotated,  # the annotator version its chunks carry ("": none)
        "title": article.title,
        "published": article.published.isoformat() if article.published else "",
        "received": article.received.isoformat() if article.received else "",
        "pub": date_int(article.available),
        "url": article.url or "",
        "source": article.source or "",
        "path": article.path or "",
        "content_hash": article.content_hash(),
        "chunks": n_chunks,
        **_version_metadata(article),
        "revised": article.revised.isoformat() if article.revised else "",
    }


def _version_metadata(article: Article) -> dict[str, str | int]:
    """Version, story, and for an earlier version the day it was replaced (index/versions.py).
    Records written before versions existed lack them: version 1, a story of its own, current."""
    meta: dict[str, str | int] = {"version": article.version, "story": article.story or ""}
    if article.superseded is not None:
        meta["until"] = date_int(article.superseded)
    return meta


def article_from_record(article_id: str, text: str, meta: Any) -> Article:
    return Article(
        id=article_id,
        title=str(meta.get("title", "")),
        text=text,
        published=parse_day(meta.get("published")),
        url=opt(meta.get("url")),
        source=opt(meta.get("source")),
        path=opt(meta.get("path")),
        received=parse_day(meta.get("received")),
        version=int(meta.get("version") or 1),
        revised=parse_day(meta.get("revised")),
        superseded=day_of(meta.get("until")),
        story=opt(meta.get("story")),
    )


def summary_from_record(article_id: str, meta: Any) -> ArticleSummary:
    return ArticleSummary(
        id=article_id,
        title=str(meta.get("title", "")),
        published=parse_day(meta.get("published")),
        url=opt(meta.get("url")),
        source=opt(meta.get("source")),
        path=opt(meta.get("path")),
        chunks=int(meta.get("chunks") or 0),
        available=day_of(meta.get("pub")),
        story=opt(meta.get("story")),
    )


def passage_from_record(chunk_id: str, text: str, meta: Any, score: float) -> Passage:
    sentences = tuple((int(a), int(b)) for a, b in json.loads(meta.get("sentences") or "[]"))
    return Passage(
        chunk_id=chunk_id,
        article_id=str(meta["article_id"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        score=score,
        title=str(meta.get("title", "")),
        published=parse_day(meta.get("published")),
        url=opt(meta.get("url")),
        source=opt(meta.get("source")),
        path=opt(meta.get("path")),
        sentences=sentences,
        available=day_of(meta.get("pub")),
        entities=tuple((int(a), int(b), str(label)) for a, b, label in json.loads(meta.get("entities") or "[]")),
        phrases=tuple((int(a), int(b)) for a, b in json.loads(meta.get("phrases") or "[]")),
        version=int(meta.get("version") or 1),
        superseded=day_of(meta.get("until")),
        story=opt(meta.get("story")),
    )


def opt(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def parse_day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def day_of(value: object) -> date | None:
    """The day of a `date_int` (0 or missing: none)."""
    number = int(value) if isinstance(value, (int, float)) and value else 0
    return date(number // 10000, number // 100 % 100, number % 100) if number else None
