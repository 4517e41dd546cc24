"""Answers from an archive that other processes keep writing to (`newsdesk ingest`, `newsdesk
watch`, or the Slack bot's own `--watch`), without a restart.

A `LiveAnswerer` is an Answerer (hand it to a front end instead of `runtime.answerer`). A watcher
thread compares the store's revision (it changes on every write) with the one its parts were
built at, every `check_every` seconds. When the archive has changed it builds a new runtime in
the background: a fresh store connection (an embedded store only finds what another process
wrote through a new one: `index.factory.connect`), the lexical index of that revision (loaded from disk
when the writer saved it, else built) and the answerer, warmed by one search. Then it swaps
them in. Questions never wait for this: each is answered by whichever runtime is current when
it starts, which is closed only once its last question is answered. Vectors and BM25 always
come from the same runtime, so they agree.

A change is picked up once the writer is done: when `writing()` says no writer holds the data
directory's lock (the embedded store: every writer takes it, and saves the lexical index before
it lets go, so the refresh loads it instead of building it), else once the revision has stayed
the same for one check (a store server, whose writers may be on other machines); and at the
latest `max_wait` seconds after it was first seen, so a long ingest shows its articles as it
goes. From the end of an ingest to the first answer from it takes about one check plus one
refresh (docs/live-archive.md has the measured delays).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.answer import ask_streaming
from index.errors import NewsdeskError

if TYPE_CHECKING:
    from bot.answer import Answer
    from bot.query import Query
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

CHECK_EVERY = 5.0  # seconds between two looks at the store's revision
MAX_WAIT = 60.0  # seconds a change may wait for the writer to pause before it is picked up anyway


@dataclass(eq=False)
class _Generation:
    runtime: Runtime
    revision: str
    leases: int = 0  # questions being answered with it
    retired: bool = False  # replaced: closed when its last question is answered


class LiveAnswerer:
    """An Answerer over the newest state of an archive. `start()` the watcher, `close()` at exit."""

    def __init__(self, runtime: Runtime, *, check_every: float = CHECK_EVERY, max_wait: float = MAX_WAIT,
                 writing: Callable[[], bool] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.check_every = check_every
        self.max_wait = max_wait
        self.writing = writing  # is a writer at work now? None: unknown (wait for writes to pause)
        self._clock = clock
        self._lock = threading.Lock()  # guards the current generation and the leases
        self._refreshing = threading.Lock()  # one refresh at a time
        self._current = _Generation(runtime, runtime.store.revision())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending: tuple[str, float] | None = None  # a changed revision seen, and when first seen
        self.refreshes = 0
        self.last_refresh_seconds = 0.0

    @property
    def runtime(self) -> Runtime:
        """The current runtime (for a quick look; a question should go through `ask`)."""
        return self._current.runtime

    def ask(self, query: Query) -> Answer:
        with self._lease() as generation:
            return generation.runtime.answerer.ask(query)

    def ask_streaming(self, query: Query, on_text: Callable[[str], None]) -> Answer:
        """As `ask`, passing the current answerer's draft text on as it is written (LLM mode)."""
        with self._lease() as generation:
            return ask_streaming(generation.runtime.answerer, query, on_text)

    def start(self) -> None:
        """Watch the store in a background thread (nothing to do when `check_every` is 0)."""
        if self.check_every > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="newsdesk-live", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            generation = self._current
            generation.retired = True
        self._close_if_idle(generation)

    def refresh(self, *, force: bool = False) -> bool:
        """Bring the answering parts up to the store's current revision now (`force`: even when it
        looks unchanged). Returns whether they were rebuilt. Raises what opening the store raises."""
        with self._refreshing:
            if self._stop.is_set() or (not force and self._read_revision() == self._current.revision):
                return False
            started = time.perf_counter()
            fresh = self._current.runtime.reopened()
            try:
                revision = fresh.store.revision()  # read before the parts: a later write shows as a change
                fresh.answerer  # noqa: B018 - the lexical index of this revision, and the answerer
                fresh.store.query(fresh.embedder.embed(["warm up"])[0], 1)  # loads the vector index
            except BaseException:
                fresh.close()
                raise
            with self._lock:
                old, self._current = self._current, _Generation(fresh, revision)
                old.retired = True
            self._close_if_idle(old)
            self._pending = None
            self.refreshes += 1
            self.last_refresh_seconds = round(time.perf_counter() - started, 3)
            log.info("archive changed: now answering from revision %s (refreshed in %.2f s)",
                     revision[:8], self.last_refresh_seconds)
            return True

    def check(self) -> bool:
        """One look at the store: refresh when a change has settled (or waited `max_wait`)."""
        revision = self._read_revision()
        if revision == self._current.revision:
            self._pending = None
            return False
        now = self._clock()
        if self._pending is None:
            self._pending, settled = (revision, now), False
        else:
            settled = self._pending[0] == revision  # no write since the last look
            self._pending = (revision, self._pending[1])
        if self.writing is not None:
            settled = not self.writing()
        if not settled and now - self._pending[1] < self.max_wait:
            return False
        return self.refresh()

    # -- inside ---------------------------------------------------------------------------------

    def _read_revision(self) -> str:
        with self._lease() as generation:
            return generation.runtime.store.revision()

    def _watch(self) -> None:
        failing = False
        while not self._stop.wait(self.check_every):
            try:
                self.check()
                failing = False
            except (NewsdeskError, OSError) as exc:  # a server away for a while: keep answering, retry
                if not failing:
                    log.warning("cannot check the archive for new articles (%s); retrying", exc)
                failing = True
            except Exception:  # noqa: BLE001 - the watcher must outlive one odd failure
                log.exception("checking the archive for new articles failed; retrying")

    @contextmanager
    def _lease(self) -> Iterator[_Generation]:
        with self._lock:
            generation = self._current
            generation.leases += 1
        try:
            yield generation
        finally:
            with self._lock:
                generation.leases -= 1
            self._close_if_idle(generation)

    def _close_if_idle(self, generation: _Generation) -> None:
        with self._lock:
            if not generation.retired or generation.leases > 0:
                return
            generation.leases = -1  # closed: never twice
        generation.runtime.close()
