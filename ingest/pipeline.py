"""Ingest: files -> articles -> chunks -> vectors -> store, incrementally.

Unchanged articles (same content hash) cost no embedding; changed ones replace their chunks;
articles not seen in this run are kept unless `prune` asks to drop those whose files are gone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from index.embedder import Embedder
from index.errors import ArticleReadError
from index.models import Article, Chunk
from index.store import ArchiveStore, ArticleState
from ingest.chunking import Chunker, embedding_text
from ingest.readers import SUPPORTED_SUFFIXES, read_file, suffix_of

# Articles are embedded and written in groups of about this many chunks: big enough to keep
# the encoder busy, small enough that an interrupted run loses little work.
WRITE_GROUP_CHUNKS = 512


class Progress(Protocol):
    def start(self, total_chunks: int, description: str) -> None: ...

    def advance(self, chunks: int) -> None: ...


class _NoProgress:
    def start(self, total_chunks: int, description: str) -> None:
        pass

    def advance(self, chunks: int) -> None:
        pass


@dataclass
class Failure:
    path: str
    error: str


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    embedded: int = 0  # passages sent to the encoder in this run
    failed: list[Failure] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class _Planned:
    article: Article
    chunks: list[Chunk]
    is_update: bool


def discover(paths: Sequence[Path]) -> Iterator[tuple[Path, Path, bool]]:
    """(file, root, named) triples: each named file, and every non-hidden file under each directory."""
    for given in paths:
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                relative = path.relative_to(given).parts
                if path.is_file() and not any(part.startswith(".") for part in relative):
                    yield path, given, False
        else:
            yield given, given.parent, True


def ingest(
    paths: Sequence[Path],
    store: ArchiveStore,
    embedder: Embedder,
    chunker: Chunker,
    *,
    max_bytes: int,
    prune: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    started = time.perf_counter()
    progress = progress or _NoProgress()
    report = IngestReport()
    known = store.article_states()
    seen: dict[str, Article] = {}
    files_read: set[str] = set()
    missing_roots: list[Path] = []

    for path, root, named in discover(paths):
        if not path.exists():
            if prune:  # a named file that is gone: prune what came from it
                missing_roots.append(path)
            else:
                report.failed.append(Failure(str(path), "no such file or directory"))
            continue
        if not named and suffix_of(path) not in SUPPORTED_SUFFIXES:
            report.skipped.append(Failure(str(path), f"not an article format ('{path.suffix}')"))
            continue
        try:
            result = read_file(path, root, max_bytes)
        except ArticleReadError as exc:
            report.failed.append(Failure(str(path), str(exc)))
            continue
        files_read.add(str(path.resolve()))
        for bad in result.errors:
            report.failed.append(Failure(f"{path} ({bad.where})", bad.reason))
        for article in result.articles:
            if article.id in seen:
                report.skipped.append(
                    Failure(str(path), f"duplicate of article {article.id} from {seen[article.id].path}")
                )
                continue
            seen[article.id] = article

    planned: list[_Planned] = []
    for article in seen.values():
        state = known.get(article.id)
        if state is not None and state.content_hash == article.content_hash():
            if state.path != article.path:  # same text, file moved: fix the location only
                store.relocate(article.id, article.path)
            report.unchanged += 1
            continue
        try:
            chunks = chunker.chunk(article)
        except Exception as exc:  # a chunking bug must not sink the other articles
            report.failed.append(Failure(article.path or article.id, f"cannot chunk: {exc}"))
            continue
        if not chunks:
            report.failed.append(Failure(article.path or article.id, "no text to index"))
            continue
        planned.append(_Planned(article, chunks, is_update=state is not None))

    total = sum(len(p.chunks) for p in planned)
    if total:
        progress.start(total, "Embedding")
    for group in _groups(planned):
        texts = [embedding_text(p.article.title, c.text) for p in group for c in p.chunks]
        try:
            vectors = embedder.embed(texts)
        except Exception as exc:  # the encoder failed on this group: report, keep going
            for p in group:
                report.failed.append(Failure(p.article.path or p.article.id, f"embedding failed: {exc}"))
            progress.advance(len(texts))
            continue
        report.embedded += len(texts)
        offset = 0
        items = []
        for p in group:
            items.append((p.article, p.chunks, vectors[offset : offset + len(p.chunks)]))
            offset += len(p.chunks)
        report.chunks_removed += store.write(items)
        for p in group:
            report.chunks_added += len(p.chunks)
            if p.is_update:
                report.updated += 1
            else:
                report.added += 1
        progress.advance(len(texts))

    if prune:
        gone = _pruned(known, seen, files_read, paths, missing_roots)
        report.chunks_removed += store.delete_articles(gone)
        report.removed = len(gone)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _groups(planned: list[_Planned]) -> Iterator[list[_Planned]]:
    group: list[_Planned] = []
    size = 0
    for item in planned:
        group.append(item)
        size += len(item.chunks)
        if size >= WRITE_GROUP_CHUNKS:
            yield group
            group, size = [], 0
    if group:
        yield group


def _pruned(
    known: dict[str, ArticleState],
    seen: dict[str, Article],
    files_read: set[str],
    roots: Sequence[Path],
    missing_roots: list[Path],
) -> list[str]:
    """Stored articles under the given roots whose file is gone, or no longer holds them."""
    prefixes = [str(r.resolve()) for r in roots if r.is_dir()] + [str(m.resolve()) for m in missing_roots]
    gone = []
    for article_id, state in known.items():
        if article_id in seen or not state.path:
            continue
        under_root = any(state.path == p or state.path.startswith(p.rstrip("/") + "/") for p in prefixes)
        if under_root and (state.path in files_read or not Path(state.path).exists()):
            gone.append(article_id)
    return gone
