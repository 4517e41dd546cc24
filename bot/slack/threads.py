"""What the bot last answered in each thread, so follow-ups ("what about Aktau?") can be understood.

Kept in the bot's SQLite file: a restarted bot still knows the threads it answered in. A thread
the bot never answered in is not followed, so ordinary channel chatter costs one lookup, no API call.
"""

from __future__ import annotations

from bot.followup import Turn
from bot.slack.db import Database, utc_now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    channel TEXT NOT NULL,
    thread TEXT NOT NULL,   -- ts of the thread's first message; '' for a direct message's main view
    question TEXT NOT NULL,
    answer TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, thread)
);
"""


class ThreadMemory:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.add_schema(_SCHEMA)

    def remember(self, channel: str, thread: str, turn: Turn) -> None:
        with self.db.transaction() as sql:
            sql.execute(
                "INSERT OR REPLACE INTO threads VALUES (?, ?, ?, ?, ?)",
                (channel, thread, turn.question, turn.answer, utc_now().isoformat(timespec="seconds")),
            )

    def recall(self, channel: str, thread: str) -> Turn | None:
        with self.db.transaction() as sql:
            row = sql.execute(
                "SELECT question, answer FROM threads WHERE channel = ? AND thread = ?", (channel, thread)
            ).fetchone()
        return Turn(row[0], row[1]) if row else None
