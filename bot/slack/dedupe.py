"""One answer per question, whatever Slack redelivers.

Slack retries an event it thinks went unanswered (same `event_id`, `X-Slack-Retry-Num` set, in
HTTP and Socket Mode alike), and one message can arrive as two events (`app_mention` and
`message` for a mention in a thread). Each delivery names the question with several keys
(event id, client message id, channel + ts); the first delivery to claim any of them wins.

Claims are kept in memory for the TTL and, with a database, on disk too, so that a restarted
bot does not answer again an event it already answered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from bot.slack.db import Database

DEFAULT_TTL_SECONDS = 24 * 3600  # Slack stops retrying after about 5 minutes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS claimed_events (key TEXT PRIMARY KEY, claimed_at REAL NOT NULL);
"""


class Deduper:
    def __init__(
        self,
        db: Database | None = None,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.ttl = ttl_seconds
        self.clock = clock
        self._seen: dict[str, float] = {}  # key -> time claimed
        self._lock = threading.Lock()
        if db is not None:
            db.add_schema(_SCHEMA)

    def claim(self, keys: Sequence[str]) -> bool:
        """True for the first delivery of a question; False for every later one within the TTL."""
        keys = [k for k in dict.fromkeys(keys) if k]
        if not keys:
            return True
        with self._lock:
            now = self.clock()
            oldest = now - self.ttl
            self._seen = {k: at for k, at in self._seen.items() if at >= oldest}
            if any(k in self._seen for k in keys) or not self._claim_on_disk(keys, now, oldest):
                return False
            self._seen.update(dict.fromkeys(keys, now))
            return True

    def _claim_on_disk(self, keys: list[str], now: float, oldest: float) -> bool:
        if self.db is None:
            return True
        marks = ",".join("?" * len(keys))
        with self.db.transaction() as sql:
            sql.execute("DELETE FROM claimed_events WHERE claimed_at < ?", (oldest,))
            found = sql.execute(f"SELECT count(*) FROM claimed_events WHERE key IN ({marks})", keys).fetchone()[0]
            if found:
                return False
            sql.executemany("INSERT INTO claimed_events VALUES (?, ?)", [(k, now) for k in keys])
        return True
