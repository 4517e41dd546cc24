"""Handing work from one ingest stage (thread) to the next through short queues, without ever
waiting forever on a stage that has stopped."""

from __future__ import annotations

import queue
import threading
from typing import TypeVar

from ingest.errors import IngestStopped

T = TypeVar("T")


class Abandoned(Exception):
    """The other side of a queue has stopped listening."""


def get_unless_stopped(q: queue.Queue[T], stop: threading.Event | None) -> T:
    """Get, waiting as long as needed; raise IngestStopped when `stop` is set meanwhile."""
    while True:
        if stop is not None and stop.is_set():
            raise IngestStopped()
        try:
            return q.get(timeout=0.1)
        except queue.Empty:
            continue


def put_unless_abandoned(q: queue.Queue[T], item: T, abandoned: threading.Event) -> None:
    """Put, waiting as long as needed, unless the other side gives up meanwhile."""
    while not abandoned.is_set():
        try:
            q.put(item, timeout=0.1)
            return
        except queue.Full:
            continue
    raise Abandoned()
