"""Ingest: files -> articles -> chunks -> vectors -> store, incrementally.

Unchanged articles (same content hash) cost no embedding; changed ones replace their chunks;
articles not seen in this run are kept unless `prune` asks to drop those whose files are gone.

The encoder is the bottleneck, so the work runs as three stages that overlap:

    planner thread   read files, look up what is stored, chunk what changed  -> groups
    calling thread   encode each group (the encoder releases the GIL while it computes)
    writer thread    write each encoded group to the store

Queues between the stages are short, so memory stays flat however large the archive is.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from index.embedder import Embedder, Vectors
from index.errors import ArticleReadError, NewsdeskError
from index.models import Article, Chunk
from index.store import ArchiveStore, ArticleState
from ingest.chunking import Chunker, embedding_text
from ingest.readers import SUPPORTED_SUFFIXES, read_file, suffix_of

# Articles are embedded and written in groups of about this many chunks: big enough to keep
# the encoder busy, small enough that an interrupted run loses little work.
WRITE_GROUP_CHUNKS = 512
# Stored states are looked up for this many read articles at a time (one store call).
LOOKUP_BATCH = 256
# Groups planned ahead of the encoder, and encoded groups waiting for the writer.
PLANNED_AHEAD = 16  # about 1-2 MB each
ENCODED_AHEAD = 2


class Progress(Protocol):
    """Told about chunks: `start` once, `grow` as the planner finds more work, `advance` as it is done.

    Called from the calling thread only. The total grows while files are still being read.
    """

    def start(self, total_chunks: int, description: str) -> None: ...

    def grow(self, chunks: int) -> None: ...

    def advance(self, chunks: int) -> None: ...


class _NoProgress:
    def start(self, total_chunks: int, description: str) -> None:
        pass

    def grow(self, chunks: int) -> None:
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
    # Vectors already stored for chunks whose embedding text is unchanged, by chunk index.
    known: dict[int, Vectors] = field(default_factory=dict)


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
    planner = _Planner(store, chunker, report, max_bytes=max_bytes, prune=prune)
    # None marks the end of a queue.
    plans: queue.Queue[list[_Planned] | None] = queue.Queue(PLANNED_AHEAD)
    writes: queue.Queue[tuple[list[_Planned], Vectors] | None] = queue.Queue(ENCODED_AHEAD)
    caller_done = threading.Event()  # tells the planner to stop early (the caller failed)
    writer_failed = threading.Event()
    errors: list[BaseException] = []  # raised again in the calling thread

    def plan() -> None:
        try:
            planner.run(paths, lambda group: _put(plans, group, caller_done))
        except _Abandoned:
            return
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            errors.append(exc)
        with contextlib.suppress(_Abandoned):
            _put(plans, None, caller_done)

    def write() -> None:
        try:
            while (item := writes.get()) is not None:
                _write_group(store, *item, report)
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            errors.append(exc)
            writer_failed.set()

    threads = [threading.Thread(target=plan, name="newsdesk-plan", daemon=True),
               threading.Thread(target=write, name="newsdesk-write", daemon=True)]
    for thread in threads:
        thread.start()
    embed_failures: list[Failure] = []
    announced = 0
    progress.start(0, "Embedding")
    try:
        while (group := plans.get()) is not None:
            progress.grow(planner.planned_chunks - announced)
            announced = planner.planned_chunks
            flat = [(p, c) for p in group for c in p.chunks]
            todo = [embedding_text(p.article.title, c.text) for p, c in flat if c.index not in p.known]
            try:
                encoded: Iterator[Vectors] = iter(embedder.embed(todo) if todo else [])
                vectors = np.stack([p.known[c.index] if c.index in p.known else next(encoded) for p, c in flat])
            except NewsdeskError:  # a setup problem (no such device, no model): every group would fail
                raise
            except Exception as exc:  # noqa: BLE001 - the encoder failed on this group: report, keep going
                embed_failures.extend(
                    Failure(p.article.path or p.article.id, f"embedding failed: {exc}") for p in group
                )
            else:
                report.embedded += len(todo)
                _put(writes, (group, vectors.astype(np.float32)), writer_failed)
            progress.advance(len(flat))
    except _Abandoned:
        pass  # the writer failed; its error is raised below
    finally:
        caller_done.set()
        threads[0].join()
        with contextlib.suppress(_Abandoned):  # the writer stores what was encoded, even on Ctrl-C
            _put(writes, None, writer_failed)
        threads[1].join()
    if errors:
        raise errors[0]
    report.failed.extend(embed_failures)

    if prune:
        gone = _pruned(store.article_states(), planner.seen, planner.files_read, paths, planner.missing_roots)
        report.chunks_removed += store.delete_articles(gone)
        report.removed = len(gone)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


T = TypeVar("T")


class _Abandoned(Exception):
    """The other side of a queue has stopped listening."""


def _put(q: queue.Queue[T], item: T, abandoned: threading.Event) -> None:
    """Put, waiting as long as needed, unless the other side gives up meanwhile."""
    while not abandoned.is_set():
        try:
            q.put(item, timeout=0.1)
            return
        except queue.Full:
            continue
    raise _Abandoned()


def _write_group(store: ArchiveStore, group: list[_Planned], vectors: Vectors, report: IngestReport) -> None:
    items = []
    offset = 0
    for p in group:
        items.append((p.article, p.chunks, vectors[offset : offset + len(p.chunks)]))
        offset += len(p.chunks)
    report.chunks_removed += store.write(items, fresh=[p.article.id for p in group if not p.is_update])
    for p in group:
        report.chunks_added += len(p.chunks)
        if p.is_update:
            report.updated += 1
        else:
            report.added += 1


class _Planner:
    """Reads, deduplicates, compares with the store and chunks; hands over groups of work.

    Writes `failed`, `skipped` and `unchanged` of the report (no other stage touches them while
    it runs). Only article ids and paths are remembered, never texts.
    """

    def __init__(self, store: ArchiveStore, chunker: Chunker, report: IngestReport, *,
                 max_bytes: int, prune: bool) -> None:
        self.store = store
        self.chunker = chunker
        self.report = report
        self.max_bytes = max_bytes
        self.prune = prune
        self.seen: dict[str, str | None] = {}  # article id -> path it came from
        self.files_read: set[str] = set()
        self.missing_roots: list[Path] = []
        self.planned_chunks = 0

    def run(self, paths: Sequence[Path], put: Callable[[list[_Planned]], None]) -> None:
        group: list[_Planned] = []
        size = 0
        for batch in _batched(self._articles(paths), LOOKUP_BATCH):
            for item in self._plan(batch):
                group.append(item)
                size += len(item.chunks)
                self.planned_chunks += len(item.chunks)
                if size >= WRITE_GROUP_CHUNKS:
                    put(group)
                    group, size = [], 0
        if group:
            put(group)

    def _articles(self, paths: Sequence[Path]) -> Iterator[Article]:
        report = self.report
        for path, root, named in discover(paths):
            if not path.exists():
                if self.prune:  # a named file that is gone: prune what came from it
                    self.missing_roots.append(path)
                else:
                    report.failed.append(Failure(str(path), "no such file or directory"))
                continue
            if not named and suffix_of(path) not in SUPPORTED_SUFFIXES:
                report.skipped.append(Failure(str(path), f"not an article format ('{path.suffix}')"))
                continue
            try:
                result = read_file(path, root, self.max_bytes)
            except ArticleReadError as exc:
                report.failed.append(Failure(str(path), str(exc)))
                continue
            self.files_read.add(str(path.resolve()))
            for bad in result.errors:
                report.failed.append(Failure(f"{path} ({bad.where})", bad.reason))
            for article in result.articles:
                if article.id in self.seen:
                    report.skipped.append(
                        Failure(str(path), f"duplicate of article {article.id} from {self.seen[article.id]}")
                    )
                    continue
                self.seen[article.id] = article.path
                yield article

    def _plan(self, articles: list[Article]) -> list[_Planned]:
        planned = list(self._chunked(articles))
        updates = [p for p in planned if p.is_update]
        if updates:  # an edited article keeps the vectors of the chunks that did not change
            stored = {
                embedding_text(title, text): vector
                for title, text, vector in self.store.stored_chunks([p.article.id for p in updates])
            }
            for p in updates:
                for chunk in p.chunks:
                    vector = stored.get(embedding_text(p.article.title, chunk.text))
                    if vector is not None:
                        p.known[chunk.index] = vector
        return planned

    def _chunked(self, articles: list[Article]) -> Iterator[_Planned]:
        known = self.store.article_states([a.id for a in articles])
        for article in articles:
            state = known.get(article.id)
            if state is not None and state.content_hash == article.content_hash():
                if state.path != article.path:  # same text, file moved: fix the location only
                    self.store.relocate(article.id, article.path)
                self.report.unchanged += 1
                continue
            try:
                chunks = self.chunker.chunk(article)
            except Exception as exc:  # noqa: BLE001 - a chunking bug must not sink the other articles
                self.report.failed.append(Failure(article.path or article.id, f"cannot chunk: {exc}"))
                continue
            if not chunks:
                self.report.failed.append(Failure(article.path or article.id, "no text to index"))
                continue
            yield _Planned(article, chunks, is_update=state is not None)


def _batched(items: Iterator[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _pruned(
    known: dict[str, ArticleState],
    seen: dict[str, str | None],
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
