"""The bot's own small SQLite file under the data directory (feedback, answered events, threads).

Every table's owner creates it; this module only opens the file once, lazily, for use from
Bolt's worker threads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

FILE_NAME = "slack.sqlite3"


def utc_now() -> datetime:
    """Timestamps in the file are ISO 8601 in UTC."""
    return datetime.now(UTC)


class Database:
    """One connection shared by threads behind a lock; opened on first use, not at creation."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._schemas: list[str] = []

    def add_schema(self, ddl: str) -> None:
        """Statements run when the file is opened (CREATE TABLE IF NOT EXISTS ...)."""
        with self._lock:
            self._schemas.append(ddl)
            if self._connection is not None:
                self._connection.executescript(ddl)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = self._connection or self._open()
            with connection:  # commits, or rolls back on an exception
                yield connection

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        connection.execute("PRAGMA journal_mode=WAL")
        for ddl in self._schemas:
            connection.executescript(ddl)
        self._connection = connection
        return connection

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
