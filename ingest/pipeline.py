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
                     mark it up                                                             -> groups
    calling thread   encode each group in batches (the encoder releases the GIL while it computes)
    writer thread    write each encoded batch to the store

Queues between the stages are short, so memory stays flat however large the archive is; a huge
article goes through them in parts. Each stage tells `progress` how far it got as it moves.
Web sources remember what they fetched (conditional GET) only once the run's articles are stored.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.archive import Archive, ArticleState
from index.encoders.embedder import Embedder, Vectors
from index.errors import NewsdeskError
from index.models import Article, Chunk
from ingest.chunking import Chunker, embedding_text
from ingest.copies import CopyFinder
from ingest.errors import IngestInterrupted, IngestStopped
from ingest.fetch import FetchPolicy
from ingest.files import Source, check_paths, local_paths
from ingest.handoff import Abandoned, get_unless_stopped, put_unless_abandoned
from ingest.nlp import Annotator
from ingest.progress import NoProgress, Progress, Tally
from ingest.prune import prune_gone
from ingest.readers import JSON_SUFFIXES, LINES_SUFFIXES, suffix_of
from ingest.reading import SourceReader
from ingest.records import ArchiveFiles, normalize_url, url_id
from ingest.report import Failure, IngestReport
from ingest.revisions import prepare

# Articles are planned in groups of about this many chunks: big enough to keep the encoder busy.
WRITE_GROUP_CHUNKS = 512
# Chunks per encoder call, and per store write: progress moves, and an interrupt keeps the work
# done, every few seconds on a CPU, however large one article is.
ENCODE_BATCH_CHUNKS = 64
# Chunks marked up per annotator call. The encoder gets them slice by slice, so a huge article
# (5 MB on one line: minutes of mark-up) is encoded while the rest of it is still marked up.
MARKUP_BATCH_CHUNKS = 64
# Stored states are looked up for this many read articles at a time (one store call).
LOOKUP_BATCH = 256
# Groups planned ahead of the encoder, and encoded batches waiting for the writer.
PLANNED_AHEAD = 16  # about 1-2 MB each
ENCODED_AHEAD = 2
# What the planner holds is handed on after this many seconds, however little (slow web sources).
FLUSH_SECONDS = 2.0


@dataclass(eq=False)  # compared and hashed by identity: one per article in a run
class _Planned:
    article: Article
    chunks: list[Chunk]  # all of its chunks, as cut (they go to the encoder marked up, in parts)
    is_update: bool  # an earlier version is stored (counted as updated, not added)
    # Vectors already stored for chunks whose embedding text is unchanged, by chunk index: from
    # an earlier version, or from an interrupted run that stored part of this article.
    known: dict[int, Vectors] = field(default_factory=dict)

    @property
    def may_have_leftovers(self) -> bool:
        """Stored chunks beyond this version's count may exist and must go."""
        return self.is_update or bool(self.known)


@dataclass
class _Part:
    """Chunks of one article, in order and marked up, on their way to the encoder (a huge
    article goes in many parts; its last part holds its last chunk)."""

    planned: _Planned
    chunks: list[Chunk]


@dataclass
class _Batch:
    """Encoded chunks on their way to the store; `finished` articles have all their chunks in it
    or in earlier batches."""

    parts: list[tuple[_Planned, list[Chunk], Vectors]]
    finished: list[_Planned]


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
) -> IngestReport:
    """Ingest `sources`: files and folders (each must exist), feed, sitemap and WARC files, and
    http(s) URLs of feeds and sitemaps (see `ingest.reading`; `fetch_cache` keeps what was
    fetched for the next run). With `prune`, also drop stored articles under the paths whose
    files are gone (never articles read from the web); a prune of more than half of them needs
    `confirm_prune` (see `ingest.prune`). `progress` is told each stage's count as it moves.
    `stored`: articles read from a stored index, written as they are, before the sources
    (`ingest --rebuild`: ingest/rebuild.py).

    Setting `stop` ends the run early, keeping what was encoded, and raises IngestStopped. Ctrl-C
    does the same and raises IngestInterrupted (a KeyboardInterrupt) with the report of what
    was stored."""
    check_paths(sources)
    started = time.perf_counter()
    report = IngestReport()
    caller_done = threading.Event()  # tells the planner to stop early (the caller failed or stops)
    reader = SourceReader(report, max_bytes=max_bytes, known=lambda i: bool(store.article_states([i])),
                          stored_ids=ArchiveFiles(store),
                          fetch_cache=fetch_cache, fetch_policy=fetch_policy, stopping=caller_done)
    tally = Tally(progress or NoProgress(), marking_up=annotator is not None)
    planner = _Planner(store, chunker, report, reader, tally, annotator=annotator)
    try:
        try:
            _run_stages(sources, stored, planner, _Encoder(embedder, report, tally), store, stop, caller_done)
        except BaseException:  # what was fetched is not remembered: the next run fetches it again
            reader.close()
            raise
        try:
            reader.remember_fetched(lambda ids: len(store.article_states(list(ids))))
        finally:
            reader.close()
        if prune:
            prune_gone(store, local_paths(sources), reader.seen, reader.files_read, report, confirmed=confirm_prune)
    except KeyboardInterrupt as exc:
        report.interrupted = True
        raise IngestInterrupted(report) from exc
    finally:
        report.seconds = round(time.perf_counter() - started, 3)
    return report


def _run_stages(sources: Sequence[Source], stored: Iterable[Article], planner: _Planner, encoder: _Encoder,
                store: Archive,                stop: threading.Event | None, caller_done: threading.Event) -> None:
    """Plan in a thread, encode in this one, write in another; raise here what any of them raised."""
    # None marks the end of a queue.
    plans: queue.Queue[list[_Part] | None] = queue.Queue(PLANNED_AHEAD)
    writes: queue.Queue[_Batch | None] = queue.Queue(ENCODED_AHEAD)
    writer_failed = threading.Event()
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
            while (item := writes.get()) is not None:
                _write_batch(store, item, planner.report, planner.annotated or "")
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            errors.append(exc)
            writer_failed.set()

    threads = [threading.Thread(target=plan, name="newsdesk-plan", daemon=True),
               threading.Thread(target=write, name="newsdesk-write", daemon=True)]
    for thread in threads:
        thread.start()
    try:
        while (group := get_unless_stopped(plans, stop)) is not None:
            for batch in encoder.encode(group):
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
        threads[1].join()
    if errors:
        raise errors[0]


class _Encoder:
    """Encodes planned chunks in batches of ENCODE_BATCH_CHUNKS, reusing known vectors. An
    article whose batch fails to encode is reported and its remaining chunks skipped."""

    def __init__(self, embedder: Embedder, report: IngestReport, tally: Tally) -> None:
        self.embedder = embedder
        self.report = report
        self.tally = tally
        self.failed: set[str] = set()  # articles that failed (their later parts are skipped)

    def encode(self, group: list[_Part]) -> Iterator[_Batch]:
        flat = [(part.planned, c) for part in group for c in part.chunks]
        for i in range(0, len(flat), ENCODE_BATCH_CHUNKS):
            pairs = [(p, c) for p, c in flat[i : i + ENCODE_BATCH_CHUNKS] if p.article.id not in self.failed]
            todo = [embedding_text(p.article.title, c.text) for p, c in pairs if c.index not in p.known]
            try:
                encoded: Iterator[Vectors] = iter(self.embedder.embed(todo) if todo else [])
                vectors = [p.known[c.index] if c.index in p.known else next(encoded) for p, c in pairs]
            except NewsdeskError:  # a setup problem (no such device, no model): every batch would fail
                raise
            except Exception as exc:  # noqa: BLE001 - the encoder failed on this batch: report, keep going
                for p in dict.fromkeys(p for p, _ in pairs):
                    self.failed.add(p.article.id)
                    self.report.failed.append(Failure(p.article.path or p.article.id, f"embedding failed: {exc}"))
                self.tally.add(encoded=len(flat[i : i + ENCODE_BATCH_CHUNKS]))
                continue
            self.report.embedded += len(todo)
            self.tally.add(encoded=len(flat[i : i + ENCODE_BATCH_CHUNKS]))
            yield _batch(pairs, vectors)


def _batch(pairs: list[tuple[_Planned, Chunk]], vectors: list[Vectors]) -> _Batch:
    parts: dict[_Planned, tuple[list[Chunk], list[Vectors]]] = {}
    for (planned, chunk), vector in zip(pairs, vectors):
        chunks, vecs = parts.setdefault(planned, ([], []))
        chunks.append(chunk)
        vecs.append(vector)
    return _Batch(
        [(p, chunks, np.stack(vecs).astype(np.float32)) for p, (chunks, vecs) in parts.items()],
        finished=[p for p, (chunks, _) in parts.items() if chunks[-1].index == len(p.chunks) - 1],
    )


def _write_batch(store: Archive, batch: _Batch, report: IngestReport, annotated: str) -> None:
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


class _Planner:
    """Reads, deduplicates, compares with the store, chunks and marks up; hands over groups of work.

    Writes `failed`, `skipped`, `warnings` and `unchanged` of the report (no other stage touches
    them while it runs). Only article ids, paths and hashes are remembered, never texts.
    """

    def __init__(self, store: Archive, chunker: Chunker, report: IngestReport, reader: SourceReader,
                 tally: Tally, annotator: Annotator | None = None) -> None:
        self.store = store
        self.chunker = chunker
        self.annotator = annotator
        self.annotated = annotator.version if annotator else None
        self.report = report
        self.reader = reader
        self.tally = tally
        self.copies = CopyFinder(store)  # wire copies (ingest/copies.py)

    def run(self, sources: Sequence[Source], put: Callable[[list[_Part]], None],
            stored: Iterable[Article] = ()) -> None:
        group: list[_Part] = []
        size = 0
        since = time.monotonic()
        for batch in _batched(self._read(sources, stored), LOOKUP_BATCH):
            for part in self._plan(batch):
                group.append(part)
                size += len(part.chunks)
                # A slow source (a web page a second) still feeds the encoder every few seconds.
                if size >= WRITE_GROUP_CHUNKS or time.monotonic() - since >= FLUSH_SECONDS:
                    put(group)
                    group, size, since = [], 0, time.monotonic()
        if group:
            put(group)

    def _read(self, sources: Sequence[Source], stored: Iterable[Article]) -> Iterator[Article]:
        for article in itertools.chain(stored, self.reader.articles(sources)):
            self.tally.add(articles_read=1)
            yield article

    def _plan(self, articles: list[Article]) -> Iterator[_Part]:
        planned = list(self._chunked(articles))
        # Hook (issue 15): a changed text is kept as an earlier version, each article put in its story.
        for p, article in zip(planned, prepare(self.store, self.copies, [(p.article, p.is_update) for p in planned],
                                               self.report)):
            p.article = article
        if planned:  # an edited (or half-stored) article keeps the vectors of its unchanged chunks
            stored = {
                embedding_text(title, text): vector
                for title, text, vector in self.store.stored_chunks([p.article.id for p in planned])
            }
            for p in planned if stored else []:
                for chunk in p.chunks:
                    vector = stored.get(embedding_text(p.article.title, chunk.text))
                    if vector is not None:
                        p.known[chunk.index] = vector
        yield from self._marked_up(planned)

    def _marked_up(self, planned: list[_Planned]) -> Iterator[_Part]:
        """The planned articles' chunks in parts, marked up MARKUP_BATCH_CHUNKS at a time."""
        if self.annotator is None:
            yield from (_Part(p, p.chunks) for p in planned)
            return
        pairs = [(p, c) for p in planned for c in p.chunks]
        for i in range(0, len(pairs), MARKUP_BATCH_CHUNKS):
            some = pairs[i : i + MARKUP_BATCH_CHUNKS]
            marked = self.annotator.annotate([c for _, c in some])
            self.tally.add(marked_up=len(some))
            parts: dict[_Planned, list[Chunk]] = {}
            for (p, _), chunk in zip(some, marked):
                parts.setdefault(p, []).append(chunk)
            yield from (_Part(p, chunks) for p, chunks in parts.items())

    def _chunked(self, articles: list[Article]) -> Iterator[_Planned]:
        known = self.store.article_states([a.id for a in articles])
        for article in articles:
            state = known.get(article.id)
            if (state is not None and state.content_hash == article.content_hash()
                    and (self.annotated is None or state.annotated == self.annotated)):
                if state.path != article.path:  # same text, file moved: fix the location only
                    self.store.relocate(article.id, article.path)
                self.report.unchanged += 1
                continue
            if state is not None and _clashes(state, article):
                self.report.failed.append(Failure(
                    article.path or article.id,
                    f"id '{article.id}' is already used by \"{state.title}\" from {state.path}; not stored "
                    f"({_clash_hint(article)})",
                ))
                continue
            try:
                chunks = self._chunks(article)
            except Exception as exc:  # noqa: BLE001 - a chunking bug must not sink the other articles
                self.report.failed.append(Failure(article.path or article.id, f"cannot chunk: {exc}"))
                continue
            if not chunks:
                self.report.failed.append(Failure(article.path or article.id, "no text to index"))
                continue
            yield _Planned(article, chunks, is_update=state is not None)

    def _chunks(self, article: Article) -> list[Chunk]:
        """The article's chunks, told to the tally as they are made (one article can take minutes)."""
        self.tally.add(chars_to_chunk=len(article.text))
        chunks: list[Chunk] = []
        done = 0
        try:
            for chunk in self.chunker.iter_chunks(article):
                chunks.append(chunk)
                self.tally.add(chars_chunked=chunk.end - done, passages=1)
                done = chunk.end
        except Exception:
            self.tally.add(passages=-len(chunks))  # none of them will be encoded
            raise
        finally:
            self.tally.add(chars_chunked=len(article.text) - done)
        return chunks


def _clashes(stored: ArticleState, article: Article) -> bool:
    """Another article under the same id: from another file that still exists, with another
    title and URL. (A moved file, or a new version with its title or URL, is the same article.)"""
    return (
        bool(stored.path) and stored.path != article.path and Path(stored.path or "").exists()
        and stored.title != article.title and not (article.url and article.url == stored.url)
    )


def _clash_hint(article: Article) -> str:
    """What stores the article without touching the other, by where its id came from: an export's
    record (its own `id`, else its URL's or its line's) can take an `id` of its own; a page's URL
    is shared; else it is the file's path under the folder ingested, which a common parent tells apart."""
    if article.path and suffix_of(Path(article.path)) in JSON_SUFFIXES | LINES_SUFFIXES:
        return "give this record an `id` of its own: an export's `id` names one article across all your exports"
    if article.url and article.id == url_id(article.url):
        return f"both have the URL {normalize_url(article.url)} once normalised: correct one of them"
    return "ingest both files from their common parent folder"


def _batched(items: Iterator[Article], size: int) -> Iterator[list[Article]]:
    """Batches of `size`, or fewer when the items come slowly (FLUSH_SECONDS)."""
    batch: list[Article] = []
    since = time.monotonic()
    for item in items:
        batch.append(item)
        if len(batch) >= size or time.monotonic() - since >= FLUSH_SECONDS:
            yield batch
            batch, since = [], time.monotonic()
    if batch:
        yield batch
