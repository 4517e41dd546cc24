"""One writer per data directory: an advisory lock on `<home>/ingest.lock`.

The embedded Chroma store keeps each index segment in the memory of the process that opened
it and writes it back from there, so two writing processes would overwrite each other's work.
Take the lock *before* opening the store. It is an `flock` on a local file: it serializes the
processes that share one data directory on one machine, not writers on several machines that
talk to one Chroma server (server mode; see docs/scale.md).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from index.errors import IndexBusyError, StoreError

if TYPE_CHECKING:
    from index.settings import StoreSettings

LOCK_NAME = "ingest.lock"
_POLL_SECONDS = 0.2


@contextmanager
def write_lock(
    home: Path, timeout: float | None = None, on_wait: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[None]:
    """Hold the data directory's write lock for the duration of the block.

    When another process holds it, call `on_wait(holder)` once and wait; after `timeout` seconds
    (None: no limit, 0: do not wait), or as soon as `cancel` is set, raise IndexBusyError.
    """
    import fcntl

    path = home / LOCK_NAME
    try:
        home.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise StoreError(f"cannot create the lock file {path}: {exc.strerror or exc}") from exc
    with handle:
        if not _try_lock(handle):
            holder = _holder(path)
            if on_wait is not None and timeout != 0:
                on_wait(holder)
            deadline = None if timeout is None else time.monotonic() + timeout
            while not _try_lock(handle):
                if deadline is not None and time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"{home} is busy: {holder} is writing to it. Try again when it is done, "
                        "or wait longer with --lock-timeout."
                    )
                if cancel is not None and cancel.wait(_POLL_SECONDS):
                    raise IndexBusyError(f"{home} is busy: {holder} is writing to it; stopped waiting.")
                if cancel is None:
                    time.sleep(_POLL_SECONDS)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()} {socket.gethostname()} {datetime.now().isoformat(timespec='seconds')}\n")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def writer_check(store: StoreSettings) -> Callable[[], bool] | None:
    """Whether a writer is at work now, where that can be known: an embedded store's writers all
    hold this data directory's lock. A store server's writers may be on other machines: None, unknown."""
    if store.chroma_url:
        return None
    home = store.home
    return lambda: is_writing(home)


def is_writing(home: Path) -> bool:
    """Whether a writer holds the data directory's lock now, as its lock file says (written just
    after locking, emptied on release). Reading it never disturbs a writer, unlike trying the lock.
    A writer on this machine that was killed before it could empty the file does not count."""
    try:
        pid, host = (home / LOCK_NAME).read_text(encoding="utf-8").split()[:2]
    except (OSError, ValueError):
        return False
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)  # no signal sent: only whether the process exists
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return True


def _try_lock(handle: IO[str]) -> bool:
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(path: Path) -> str:
    """Who holds the lock, as far as the lock file says (it is written right after locking)."""
    try:
        pid, host, since = path.read_text(encoding="utf-8").split()[:3]
    except (OSError, ValueError):
        return "another newsdesk process"
    return f"newsdesk process {pid} on {host} (since {since.replace('T', ' ')})"
