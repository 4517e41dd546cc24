"""Answers the bot gave and the 👍/👎 clicks on them, in the bot's SQLite file.

Every posted answer is recorded under an id that its buttons carry; a click stores the verdict
with the question, answer and citations it judged (one verdict per user and answer, the latest
wins). Answers that got a 👍 and no 👎 become regression questions for `newsdesk eval`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.answer import Answer, Citation, OtherCopy, Point
from bot.slack.db import Database, utc_now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    asked TEXT NOT NULL,          -- the message as typed (a follow-up may be elliptical)
    question TEXT NOT NULL,       -- the question the answerer was given
    answer_json TEXT NOT NULL,    -- Answer.to_json()
    channel TEXT NOT NULL,
    user TEXT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT NOT NULL REFERENCES answers(id),
    user TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT,                  -- NULL when the bot abstained
    citations_json TEXT NOT NULL, -- [Citation.to_json(), ...]
    clicked_at TEXT NOT NULL,     -- ISO 8601, UTC
    PRIMARY KEY (answer_id, user)
);
"""


@dataclass(frozen=True)
class Click:
    answer_id: str
    user: str
    verdict: str
    question: str
    answer: str | None
    citations: list[dict[str, Any]]
    clicked_at: datetime


class FeedbackStore:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.clock = clock
        db.add_schema(_SCHEMA)

    def record_answer(self, answer: Answer, asked: str, channel: str, user: str) -> str:
        """Keep the answer that was posted; the returned id goes into its buttons."""
        answer_id = uuid.uuid4().hex
        with self.db.transaction() as sql:
            sql.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                (answer_id, asked, answer.question, json.dumps(answer.to_json(), ensure_ascii=False),
                 channel, user, self.clock().isoformat(timespec="seconds")),
            )
        return answer_id

    def answer(self, answer_id: str) -> Answer | None:
        with self.db.transaction() as sql:
            row = sql.execute("SELECT answer_json FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return answer_from_json(json.loads(row[0])) if row else None

    def record_click(self, answer_id: str, user: str, verdict: str) -> bool:
        """Store a verdict ('up' or 'down'); False when the answer is not on record."""
        if verdict not in ("up", "down"):
            raise ValueError(f"unknown verdict {verdict!r}")
        answer = self.answer(answer_id)
        if answer is None:
            return False
        citations = json.dumps([c.to_json() for c in answer.citations], ensure_ascii=False)
        with self.db.transaction() as sql:
            sql.execute(
                "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?)",
                (answer_id, user, verdict, answer.question, answer.answer, citations,
                 self.clock().isoformat(timespec="seconds")),
            )
        return True

    def clicks(self) -> list[Click]:
        with self.db.transaction() as sql:
            rows = sql.execute(
                "SELECT answer_id, user, verdict, question, answer, citations_json, clicked_at "
                "FROM feedback ORDER BY clicked_at, answer_id, user"
            ).fetchall()
        return [Click(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), datetime.fromisoformat(r[6]))
                for r in rows]

    def gold_records(self) -> list[dict[str, object]]:
        """Answers with a 👍 and no 👎, in the eval suite's gold JSONL format.

        `as_of` is the day of the first 👍 (UTC): the archive as it was when someone judged the answer.
        """
        by_answer: dict[str, list[Click]] = {}
        for click in self.clicks():
            by_answer.setdefault(click.answer_id, []).append(click)
        records: list[dict[str, object]] = []
        for answer_id, clicks in by_answer.items():
            ups = [c for c in clicks if c.verdict == "up"]
            if not ups or any(c.verdict == "down" for c in clicks) or ups[0].answer is None:
                continue
            first = ups[0]
            records.append({
                "id": f"feedback-{answer_id}",
                "question": first.question,
                "answers": [first.answer],
                "answerable": True,
                "type": "feedback",
                "as_of": first.clicked_at.date().isoformat(),
                "evidence": [{"article_id": c["article_id"], "quote": c["quote"]} for c in first.citations],
            })
        return records


def answer_from_json(data: dict[str, Any]) -> Answer:
    """The inverse of `Answer.to_json()` for what the bot stored itself."""
    def day(value: object) -> date | None:
        return date.fromisoformat(value) if isinstance(value, str) else None

    def citation(c: dict[str, Any]) -> Citation:
        return Citation(
            article_id=c["article_id"], title=c["title"], published=day(c.get("published")),
            url=c.get("url"), source=c.get("source"), path=c.get("path"), quote=c["quote"],
            start=int(c["start"]), end=int(c["end"]), score=float(c.get("score") or 0.0),
            version=int(c.get("version") or 1), superseded=day(c.get("superseded")), story=c.get("story"),
            copies=tuple(OtherCopy(o["article_id"], o.get("title") or "", o.get("source"), o.get("url"),
                                   day(o.get("published"))) for o in c.get("also_carried_by") or []),
        )

    points = [Point(citation(p["citation"]), day(p.get("date")),
                    p["text"] if p.get("text") != p["citation"]["quote"] else "") for p in data.get("points") or []]
    return Answer(
        question=data["question"], answer=data.get("answer"), citations=[citation(c) for c in data.get("citations", [])],
        as_of=day(data.get("as_of")), sentence=data.get("sentence"),
        score=float(data.get("score") or 0.0), mode=data.get("mode") or "extractive",
        notes=list(data.get("notes") or []), retrieved=list(data.get("retrieved") or []),
        dropped_citations=int(data.get("dropped_citations") or 0),
        shape=data.get("shape") or "factoid", points=points,
    )
