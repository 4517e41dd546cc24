"""HTTP validators (ETag, Last-Modified, the caller's change hint) per URL, kept between runs in
`<cache_dir>/http-cache.sqlite3`: those of this run are staged in memory and written only by
`commit()` (see `ingest.fetch`)."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Validators:
    etag: str | None
    last_modified: str | None
    hint: str | None  # the caller's change marker when it was last fetched (a sitemap's lastmod)


class ValidatorCache:
    """Validators per URL from earlier runs (SQLite), and this run's, staged until `commit()`."""

    def __init__(self, path: Path | None) -> None:
        self._lock = threading.Lock()
        self._staged: dict[str, Validators | None] = {}  # None: forget it
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Sources run in the ingest's planner thread; the lock keeps one user at a time.
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS validators "
                "(url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, hint TEXT)"
            )
            self._db.commit()

    def get(self, url: str) -> Validators | None:
        with self._lock:
            if url in self._staged:
                return self._staged[url]
            if self._db is None:
                return None
            row = self._db.execute(
                "SELECT etag, last_modified, hint FROM validators WHERE url = ?", (url,)
            ).fetchone()
        return Validators(*row) if row else None

    def urls(self) -> list[str]:
        """Every URL with validators kept from earlier runs."""
        with self._lock:
            if self._db is None:
                return []
            return [row[0] for row in self._db.execute("SELECT url FROM validators")]

    def stage(self, url: str, validators: Validators | None) -> None:
        with self._lock:
            self._staged[url] = validators

    def commit(self) -> None:
        with self._lock:
            if self._db is None:
                self._staged.clear()
                return
            with self._db:  # one transaction
                for url, found in self._staged.items():
                    if found is None or not (found.etag or found.last_modified or found.hint):
                        self._db.execute("DELETE FROM validators WHERE url = ?", (url,))
                    else:
                        self._db.execute(
                            "INSERT OR REPLACE INTO validators VALUES (?, ?, ?, ?)",
                            (url, found.etag, found.last_modified, found.hint),
                        )
            self._staged.clear()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
