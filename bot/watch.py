"""Scheduled re-indexing: the same sources ingested every N minutes, one run at a time, for
`newsdesk watch` and the Slack bot's `--watch`.

Each run takes the data directory's write lock, opens the store afresh (so it starts from what
other processes wrote meanwhile: `Runtime.reopened`) and runs the ordinary ingest, so a run
costs what `newsdesk ingest` would: unchanged files nothing, unchanged feeds one request. Runs
start `every` seconds apart (at once after a run that took longer). A run that cannot be done
(the Chroma server is away, the lock is held past --lock-timeout, a folder is not mounted) is
reported and tried again at the next one. Stopping (the `stop` event, or Ctrl-C in the calling
thread) between runs loses nothing; within a run, the ingest keeps every batch it encoded.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot import messages
from index.errors import IndexBusyError, StoreError, UserInputError

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from ingest.files import Source
    from ingest.report import IngestReport

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """"90s", "15m", "2h", "1d" in seconds; a unit is required (is "15" minutes or seconds?)."""
    found = _INTERVAL.match(text)
    if found is None or float(found.group(1)) <= 0:
        raise UserInputError(messages.BAD_INTERVAL.format(value=text))
    return float(found.group(1)) * _UNIT_SECONDS[found.group(2).lower()]


@dataclass(frozen=True)
class Run:
    number: int  # 1, 2, ...
    started: datetime
    report: IngestReport | None  # None when the run could not be done
    error: str | None = None  # why not


class Watcher:
    """Runs `runtime.reopened().ingest(sources)` every `every` seconds, under the write lock."""

    def __init__(self, runtime: Runtime, sources: Sequence[Source], every: float, *,
                 prune: bool = False, confirm_prune: bool = False, lock_timeout: float | None = None,
                 on_wait: Callable[[str], None] | None = None, on_run: Callable[[Run], None] = lambda run: None,
                 stop: threading.Event | None = None) -> None:
        self.runtime = runtime
        self.sources = list(sources)
        self.every = every
        self.prune = prune
        self.confirm_prune = confirm_prune
        self.lock_timeout = lock_timeout
        self.on_wait = on_wait
        self.on_run = on_run
        self.stop = stop or threading.Event()
        self.runs = 0
        self.failed_runs = 0  # runs that failed something, or could not be done
        self.running = False  # a run is in progress
        self.next_at: datetime | None = None  # when the next run starts; None after the last one

    def run(self, count: int | None = None) -> None:
        """Run until `stop` is set (or `count` runs are done). Ctrl-C in the calling thread
        propagates (KeyboardInterrupt) once the run in progress has stored what it encoded."""
        while not self.stop.is_set():
            started = time.monotonic()
            run = self.run_once()
            last = count is not None and self.runs >= count
            wait = max(0.0, started + self.every - time.monotonic())
            self.next_at = None if last else datetime.fromtimestamp(time.time() + wait)
            self.on_run(run)
            if last or self.stop.wait(wait):
                return

    def run_once(self) -> Run:
        """One ingest of the sources, under the write lock, on a fresh store connection."""
        from index.lock import write_lock
        from ingest.errors import IngestStopped

        self.runs += 1
        started = datetime.now()
        home = self.runtime.settings.store.home
        self.running = True
        try:
            with write_lock(home, timeout=self.lock_timeout, on_wait=self.on_wait, cancel=self.stop):
                fresh = self.runtime.reopened()
                try:
                    report = fresh.ingest(self.sources, prune=self.prune, confirm_prune=self.confirm_prune,
                                          stop=self.stop)
                finally:
                    fresh.close()
        except (IngestStopped, StoreError, IndexBusyError, UserInputError) as exc:  # may pass: next run
            self.running = False
            self.failed_runs += 1
            return Run(self.runs, started, None, str(exc))
        self.running = False  # (still set when Ctrl-C stopped the run: the caller tells the user)
        self.failed_runs += bool(report.failed or report.prune_refused)
        return Run(self.runs, started, report)
