"""How a long ingest tells its caller how far it got: each stage's count, as it moves."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Protocol


@dataclass(frozen=True)
class IngestProgress:
    """How far an ingest got, stage by stage (counts since the run started). The totals grow
    while sources are still being read, and every count only grows (but `passages`, when cutting
    an article fails half-way: its passages are taken back)."""

    articles_read: int = 0  # articles read from the sources, changed or not
    chars_to_chunk: int = 0  # characters of the new and changed articles among them
    chars_chunked: int = 0  # of those, characters cut into passages so far
    passages: int = 0  # passages cut so far: what mark-up and encoding have to get through
    marking_up: bool = False  # whether this run marks passages up (entities, noun phrases)
    marked_up: int = 0  # passages marked up
    encoded: int = 0  # passages encoded (or their stored vectors reused) and handed to the store


class Progress(Protocol):
    """Told the whole state each time a stage moves (within one huge article too).

    Called from the thread of the stage that moved (the planner reads, chunks and marks up; the
    calling thread encodes, and tells what worker processes marked up and encoded), never by two
    threads at once.
    """

    def update(self, state: IngestProgress) -> None: ...


class NoProgress:
    def update(self, state: IngestProgress) -> None:
        pass


class Tally:
    """The run's progress, moved by each stage in its own thread; every move is told to
    `progress`, one call at a time."""

    def __init__(self, progress: Progress, marking_up: bool) -> None:
        self.progress = progress
        self.state = IngestProgress(marking_up=marking_up)
        self.lock = threading.Lock()

    def add(self, **counts: int) -> None:
        with self.lock:
            moved = {name: getattr(self.state, name) + n for name, n in counts.items()}
            self.state = replace(self.state, **moved)
            self.progress.update(self.state)
