"""Ingest: files, feeds, sitemaps, WARC files and URLs -> articles -> chunks -> vectors -> store,
incrementally.

Unchanged articles (same content hash) cost no embedding; changed ones replace their chunks,
and a changed text is first kept as an earlier version (ingest/revisions.py); every article
written is put in its wire story (ingest/copies.py); articles not seen in this run are kept
unless `prune` asks to drop those whose files are gone.
An article is stored chunk batch by chunk batch and recorded once all its chunks are in, so an
interrupted run keeps every encoded chunk and the next run reuses them.

The encoder is the bottleneck, so the work runs as three stages that overlap:

    planner thread   read sources (ingest.reading), look up what is stored, chunk what changed,
                     mark it up (ingest/planning.py)                                        -> groups
    calling thread   encode each group in batches (ingest/encoding.py; the encoder releases
                     the GIL while it computes)
    writer thread    write each encoded batch to the store

With `workers`, the calling thread hands the groups to worker processes, which mark up and encode
them (ingest/workers.py), instead of the planner marking up and this thread encoding.

Queues between the stages are short, so memory stays flat however large the archive is; a huge
article goes through them in parts. Each stage tells `progress` how far it got as it moves.
Web sources remember what they fetched (conditional GET) only once the run's articles are stored.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from index.archive import Archive
from index.encoders.embedder import Embedder
from index.models import Article
from ingest.chunking import Chunker
from ingest.encoding import Batch, Encoder
from ingest.errors import IngestInterrupted, IngestStopped
from ingest.fetch import FetchPolicy
from ingest.files import Source, check_paths, local_paths
from ingest.handoff import Abandoned, put_unless_abandoned
from ingest.nlp import Annotator
from ingest.planning import Part, Planner
from ingest.progress import NoProgress, Progress, Tally
from ingest.prune import prune_gone
from ingest.reading import ArticleSource
from ingest.records import ArchiveFiles
from ingest.report import IngestReport
from ingest.workers import WorkerPool, WorkerSetup, encoder_threads

# Groups planned ahead of the encoder, and encoded batches waiting for the writer.
PLANNED_AHEAD = 16  # about 1-2 MB each
ENCODED_AHEAD = 2


def ingest(
    sources: Sequence[Source],
    store: Archive,
    embedder: Embedder,
    chunker: Chunker,
    *,
    max_bytes: int,
    prune: bool = False,
    confirm_prune: bool = False,
    progress: Progress | None = None,
    fetch_cache: Path | None = None,
    fetch_policy: FetchPolicy | None = None,
    stop: threading.Event | None = None,
    annotator: Annotator | None = None,
    stored: Iterable[Article] = (),
    workers: int = 0,
) -> IngestReport:
    """Ingest `sources`: files and folders (each must exist), feed, sitemap and WARC files, and
    http(s) URLs of feeds and sitemaps (see `ingest.reading`; `fetch_cache` keeps what was
    fetched for the next run). With `prune`, also drop stored articles under the paths whose
    files are gone (never articles read from the web); a prune of more than half of them needs
    `confirm_prune` (see `ingest.prune`). `progress` is told each stage's count as it moves.
    `stored`: articles read from a stored index, written as they are, before the sources
    (`ingest --rebuild`: ingest/rebuild.py). `workers` processes mark up and encode
    (ingest/workers.py); 0: this process does.

    Setting `stop` ends the run early, keeping what was encoded, and raises IngestStopped. Ctrl-C
    does the same and raises IngestInterrupted (a KeyboardInterrupt) with the report of what
    was stored."""
    check_paths(sources)
    started = time.perf_counter()
    report = IngestReport()
    caller_done = threading.Event()  # tells the planner to stop early (the caller failed or stops)
    source = ArticleSource(report, max_bytes=max_bytes, known=lambda i: bool(store.article_states([i])),
                          stored_ids=ArchiveFiles(store),
                          fetch_cache=fetch_cache, fetch_policy=fetch_policy, stopping=caller_done)
    tally = Tally(progress or NoProgress(), marking_up=annotator is not None)
    planner = Planner(store, chunker, report, source, tally, annotator=annotator, mark_up=not workers)
    try:
        try:
            with _encoder(embedder, annotator, workers, report, tally) as encoder:
                _run_stages(sources, stored, planner, encoder, store, stop, caller_done)
        except BaseException:  # what was fetched is not remembered: the next run fetches it again
            source.close()
            raise
        try:
            source.remember_fetched(lambda ids: len(store.article_states(list(ids))))
        finally:
            source.close()
        if prune:
            prune_gone(store, local_paths(sources), source.seen, source.files_read, report, confirmed=confirm_prune)
    except KeyboardInterrupt as exc:
        report.interrupted = True
        raise IngestInterrupted(report) from exc
    finally:
        report.seconds = round(time.perf_counter() - started, 3)
    return report


@contextlib.contextmanager
def _encoder(embedder: Embedder, annotator: Annotator | None, workers: int, report: IngestReport,
             tally: Tally) -> Iterator[Encoder]:
    """The encoder stage: in this process, or in `workers` processes that also mark up."""
    if not workers:
        yield Encoder(embedder, report, tally)
        return
    pool = WorkerPool(WorkerSetup(embedder, annotator, encoder_threads(workers)), workers, report, tally)
    try:
        yield pool
    finally:
        pool.close()


def _run_stages(sources: Sequence[Source], stored: Iterable[Article], planner: Planner, encoder: Encoder,
                store: Archive, stop: threading.Event | None, caller_done: threading.Event) -> None:
    """Plan in a thread, encode in this one, write in another; raise here what any of them raised."""
    # None marks the end of a queue.
    plans: queue.Queue[list[Part] | None] = queue.Queue(PLANNED_AHEAD)
    writes: queue.Queue[Batch | None] = queue.Queue(ENCODED_AHEAD)
    writer_failed = threading.Event()
    encoding_done = threading.Event()  # nothing more will be put in `writes`
    errors: list[BaseException] = []  # raised again in the calling thread

    def plan() -> None:
        try:
            planner.run(sources, lambda group: put_unless_abandoned(plans, group, caller_done), stored)
        except Abandoned:
            return
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            errors.append(exc)
        with contextlib.suppress(Abandoned):
            put_unless_abandoned(plans, None, caller_done)

    def write() -> None:
        try:
            while (item := _next_write(writes, encoding_done)) is not None:
                _write_batch(store, item, planner.report, planner.annotated or "")
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            errors.append(exc)
            writer_failed.set()

    threads = [threading.Thread(target=plan, name="newsdesk-plan", daemon=True),
               threading.Thread(target=write, name="newsdesk-write", daemon=True)]
    for thread in threads:
        thread.start()
    try:
        for batch in encoder.stream(plans, stop):
            put_unless_abandoned(writes, batch, writer_failed)
            if stop is not None and stop.is_set():
                raise IngestStopped()
    except Abandoned:
        pass  # the writer failed; its error is raised below
    finally:
        caller_done.set()
        threads[0].join()
        with contextlib.suppress(Abandoned):  # the writer stores what was encoded, even on Ctrl-C
            put_unless_abandoned(writes, None, writer_failed)
        encoding_done.set()  # also when the end mark was lost to a Ctrl-C or SIGTERM mid hand-off
        threads[1].join()
    if errors:
        raise errors[0]


def _next_write(writes: queue.Queue[Batch | None], done: threading.Event) -> Batch | None:
    """The next encoded batch, or None at the end: the end mark, or `done` with nothing left.
    Polled, never a wait without end: a signal that lands inside the calling thread's hand-off
    (a KeyboardInterrupt between a queue's put and its notify) must not leave the writer waiting
    forever (seen once under SIGTERM: the ingest never exited)."""
    while True:
        try:
            return writes.get(timeout=0.1)
        except queue.Empty:
            if done.is_set():
                return None


def _write_batch(store: Archive, batch: Batch, report: IngestReport, annotated: str) -> None:
    store.write_chunks([(p.article, chunks, vectors) for p, chunks, vectors in batch.parts])
    report.chunks_removed += store.finish_articles(
        [(p.article, len(p.chunks), p.may_have_leftovers) for p in batch.finished], annotated
    )
    for p in batch.finished:
        report.chunks_added += len(p.chunks)
        if p.is_update:
            report.updated += 1
        else:
            report.added += 1
