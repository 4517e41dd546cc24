"""Worker processes that mark up and encode (`newsdesk ingest --workers N`): the ingest
pipeline's second stage (ingest/pipeline.py) spread over processes.

The planner (reading, the store's look-ups, chunking) and the writer stay in the ingest's own
process, so there is one writer to the store however many workers there are. Each worker is a
process of its own, spawned (no thread, lock or store connection of the ingest is copied into
it), with its own encoder and spaCy pipeline; it takes slices of ENCODE_BATCH_CHUNKS chunks,
marks them up, says so, encodes those whose vectors are not stored yet and sends back the
marked chunks with their vectors. The slices are handed to the writer in the order they were
planned, so an article is recorded only once all its chunks are stored, as in one process.

Workers are spawned, as multiprocessing's "spawn" does: the calling program's main module is
imported in each, so a script that ingests with workers keeps its work under
`if __name__ == "__main__":` (the `newsdesk` command does).

Why processes: spaCy holds the interpreter lock for most of its work, so in one process the
mark-up and the encoder take turns. Two workers on two cores keep both busy (one marks up while
the other encodes); each holds about 0.5 GB (518 MB peak with onnx-int8). Figures in
benchmarks/README.md.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess
from typing import Any

from index.encoders.embedder import Embedder, Vectors
from index.errors import NewsdeskError
from index.models import Chunk
from ingest.encoding import Batch, Encoder, batch, slices, to_encode, with_known
from ingest.errors import IngestStopped
from ingest.nlp import Annotator
from ingest.planning import Part, Planned
from ingest.progress import Tally
from ingest.report import IngestReport

WORKER_STOPPED = "an ingest worker process stopped unexpectedly (exit code {code}); every article stored so far is kept"
# Slices sent ahead to each worker, so that none waits for the next while the ingest hands one on.
AHEAD_PER_WORKER = 3
_POLL = 0.1  # seconds between looks at the workers while waiting

_WARM_UP = Chunk("warm-up", 0, 0, 23, "Warm up in Paris today.")


@dataclass(frozen=True)
class WorkerSetup:
    """What each worker is made from (pickled into it): the encoder (its loaded models are not
    sent; each worker loads its own), the annotator, and the encoder threads of each worker."""

    embedder: Embedder
    annotator: Annotator | None
    threads: int


@dataclass
class _Sent:
    """A slice in a worker's hands."""

    pairs: list[tuple[Planned, Chunk]]
    size: int  # the slice's size, chunks of failed articles included (what progress counts)
    encoding: int  # texts to encode


def encoder_threads(workers: int) -> int:
    """Encoder threads for each of `workers` workers: the machine's cores shared out."""
    return max(1, (os.cpu_count() or 1) // workers)


class WorkerPool(Encoder):
    """The encoder stage in `workers` processes; `close()` ends them."""

    def __init__(self, setup: WorkerSetup, workers: int, report: IngestReport, tally: Tally) -> None:
        super().__init__(setup.embedder, report, tally)
        self.setup = setup
        context = multiprocessing.get_context("spawn")
        self.jobs: multiprocessing.Queue[tuple[int, list[Chunk], list[str]] | None] = context.Queue()
        self.results: multiprocessing.Queue[tuple[Any, ...]] = context.Queue()
        self.processes: list[BaseProcess] = [
            context.Process(target=_work, args=(setup, self.jobs, self.results), name=f"newsdesk-worker-{n}",
                            daemon=True)
            for n in range(workers)
        ]
        self.started = False  # the workers start with the first slice: a run with nothing new starts none
        self.sent: dict[int, _Sent] = {}  # by slice number
        self.done: dict[int, tuple[_Sent, tuple[Any, ...]]] = {}  # what came back, until its turn
        self.numbered = 0  # slices numbered so far
        self.handed = 0  # slices handed on (in order)

    def stream(self, plans: queue.Queue[list[Part] | None], stop: threading.Event | None) -> Iterator[Batch]:
        planned_all = False
        ahead = AHEAD_PER_WORKER * len(self.processes)
        while not planned_all or self.handed < self.numbered:
            if stop is not None and stop.is_set():
                raise IngestStopped()
            if not planned_all and self.numbered - self.handed < ahead:
                try:  # wait for the planner only when no worker has anything
                    group = plans.get(timeout=_POLL) if not self.sent else plans.get_nowait()
                except queue.Empty:
                    pass
                else:
                    planned_all = group is None
                    self._send(group or [])
            if self.sent:
                self._receive(wait=_POLL)
            while self.handed in self.done:  # in order: an article is finished after all its chunks
                ready = self._batch(*self.done.pop(self.handed))
                self.handed += 1
                if ready is not None:
                    yield ready

    def _send(self, group: list[Part]) -> None:
        if group and not self.started:
            prepare = getattr(self.setup.embedder, "prepare", None)  # an export: once here, not in each worker
            if callable(prepare):
                prepare()
            _start(self.processes)
            self.started = True
        for pairs, size in slices(group, self.failed):
            todo = to_encode(pairs)
            self.sent[self.numbered] = _Sent(pairs, size, len(todo))
            self.jobs.put((self.numbered, [c for _, c in pairs], todo))
            self.numbered += 1

    def _receive(self, wait: float) -> None:
        """Take what the workers sent (waiting up to `wait` for the first message)."""
        try:
            message = self.results.get(timeout=wait)
        except queue.Empty:
            self._check_alive()
            return
        while True:
            self._take(message)
            try:
                message = self.results.get_nowait()
            except queue.Empty:
                return

    def _take(self, message: tuple[Any, ...]) -> None:
        kind, number = message[0], message[1]
        if kind == "error":  # the setup, or the mark-up, failed: every slice would
            raise message[2]
        if kind == "marked":
            self.tally.add(marked_up=message[2])
            return
        sent = self.sent.pop(number)
        self.done[number] = (sent, message)
        self.tally.add(encoded=sent.size)

    def _batch(self, sent: _Sent, message: tuple[Any, ...]) -> Batch | None:
        """A slice's batch for the writer, at its turn (so that an earlier slice's failure is known),
        without the articles that failed; None when nothing is left to write."""
        kept = [i for i, (p, _) in enumerate(sent.pairs) if p.article.id not in self.failed]
        if message[0] == "failed":
            self.fail([sent.pairs[i] for i in kept], f"embedding failed: {message[2]}")
            return None
        marks: list[tuple[Any, Any]] | None = message[2]
        chunks = [c for _, c in sent.pairs] if marks is None else [
            replace(c, entities=entities, phrases=phrases) for (_, c), (entities, phrases) in zip(sent.pairs, marks)]
        vectors = with_known(sent.pairs, iter(message[3]))
        self.report.embedded += sent.encoding
        return batch([(sent.pairs[i][0], chunks[i]) for i in kept], [vectors[i] for i in kept]) if kept else None

    def _check_alive(self) -> None:
        ended = [process.exitcode for process in self.processes if process.exitcode is not None]
        if ended:
            with contextlib.suppress(queue.Empty):  # what a worker said before it ended (its error) first
                while True:
                    self._take(self.results.get(timeout=_POLL))
            raise NewsdeskError(WORKER_STOPPED.format(code=ended[0]))

    def close(self) -> None:
        """End the workers: at once (an interrupt, an error), or once they finished their last slice."""
        if not self.started:
            return
        for _ in self.processes:
            self.jobs.put(None)
        for process in self.processes:
            process.join(timeout=_POLL if self.sent else 10)
            if process.exitcode is None:
                process.terminate()
                process.join(timeout=5)
        self.jobs.close()
        self.results.close()
        self.jobs.cancel_join_thread()
        self.results.cancel_join_thread()


def _start(processes: list[BaseProcess]) -> None:
    """Start the workers with Ctrl-C ignored from their first instruction: it reaches the whole
    process group, and the ingest ends its workers itself (signals are the main thread's only)."""
    if threading.current_thread() is not threading.main_thread():
        for process in processes:
            process.start()
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for process in processes:
            process.start()
    finally:
        signal.signal(signal.SIGINT, before)


def _work(setup: WorkerSetup, jobs: multiprocessing.Queue[Any], results: multiprocessing.Queue[Any]) -> None:
    """A worker's life: mark up and encode each slice sent, until the end mark."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # also when started from another thread than the main one
    os.environ["OMP_NUM_THREADS"] = str(setup.threads)  # torch (the torch encoder, spaCy's thinc) reads it
    if getattr(setup.embedder, "uses_torch", True) is False:
        # spaCy's thinc imports torch whenever it is installed, and never uses it for this pipeline:
        # 1.5 CPU-seconds and 0.2 GB in every worker, saved (the same mark-up: tests/test_ingest_workers.py).
        sys.modules.setdefault("torch", None)  # type: ignore[arg-type]
    if hasattr(setup.embedder, "threads"):
        setup.embedder.threads = setup.threads
    try:  # load the models now, while the ingest plans its first slices
        if setup.annotator is not None:
            setup.annotator.annotate([_WARM_UP])
        setup.embedder.embed([_WARM_UP.text])
    except Exception as exc:  # noqa: BLE001 - sent to the ingest, which raises it
        results.put(("error", -1, _sendable(exc)))
        return
    while (job := jobs.get()) is not None:
        number, chunks, todo = job
        marks = None
        if setup.annotator is not None:
            try:
                marks = [(c.entities, c.phrases) for c in setup.annotator.annotate(chunks)]
            except Exception as exc:  # noqa: BLE001 - as a mark-up failure in one process: the run stops
                results.put(("error", number, _sendable(exc)))
                return
            results.put(("marked", number, len(chunks)))
        try:
            vectors: Vectors | list[Vectors] = setup.embedder.embed(todo) if todo else []
        except NewsdeskError as exc:  # a setup problem: every slice would fail
            results.put(("error", number, _sendable(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - this slice failed to encode: its articles are reported
            results.put(("failed", number, str(exc)))
            continue
        results.put(("done", number, marks, vectors))  # the mark-up only: the ingest has the chunks


def _sendable(exc: Exception) -> Exception:
    """`exc` if it survives pickling to the ingest's process, else a NewsdeskError saying it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any pickling failure
        return NewsdeskError(f"{type(exc).__name__}: {exc}")
    return exc
