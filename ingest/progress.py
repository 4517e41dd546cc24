"""How a long ingest tells its caller how far it got."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Told about chunks: `start` once, `grow` as the planner finds more work, `advance` as it is done.

    Called from the calling thread only. The total grows while files are still being read.
    """

    def start(self, total_chunks: int, description: str) -> None: ...

    def grow(self, chunks: int) -> None: ...

    def advance(self, chunks: int) -> None: ...


class NoProgress:
    def start(self, total_chunks: int, description: str) -> None:
        pass

    def grow(self, chunks: int) -> None:
        pass

    def advance(self, chunks: int) -> None:
        pass
