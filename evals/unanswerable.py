"""An unanswerable kit made from an answerable one: each question asked as of the day before its
gold evidence was published, kept only when no article of the weeks before then contains the
answer. The archive is the kit's own corpus (copied byte for byte, so `newsdesk eval` reuses the
kit's index), and every question is marked `"answerable": false`: the right outcome is "not in
the archive". With the kit itself it is what abstention is calibrated on (docs/evals.md).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot import messages
from evals.dataset import is_except_question
from evals.kit import QUESTIONS, corpus_file, corpus_records
from index.errors import UserInputError

MIN_ANSWER_CHARS = 3  # a shorter answer ("3", "EU") is in too many articles to date its evidence by
RECENT_DAYS = 14  # without gold evidence: the answer's first article in this many days before the question
# An article this many days before the question's date that holds its answer may answer it; an
# older one ("Ghana" in a story of years ago) does not answer a question about this week's news.
LOOKBACK_DAYS = 60
MIN_ARCHIVE = 50  # articles published by the question's date (default): fewer makes abstaining too easy
_QUOTES = str.maketrans({"“": "", "”": "", "‘": "", "’": "'", '"': ""})


@dataclass
class UnanswerableReport:
    out: Path
    questions: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def to_json(self) -> dict[str, Any]:
        return {"out": str(self.out), "questions": self.questions, "skipped": self.skipped}


def normal(text: str) -> str:
    """Lower case, curly quotes dropped, blank space folded: how an answer is looked for in text."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES).lower()).strip()



def _published(record: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(record.get("published") or "")[:10])
    except ValueError:
        return None


def build_unanswerable_kit(kit: Path, out: Path, min_archive: int = MIN_ARCHIVE) -> UnanswerableReport:
    corpus = corpus_file(kit)
    if corpus is None or not (kit / QUESTIONS).is_file():
        raise UserInputError(messages.NOT_A_KIT.format(path=kit, missing=QUESTIONS if corpus else "corpus.jsonl.gz"))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserInputError(messages.KIT_OUT_NOT_EMPTY.format(path=out))
    dated: list[tuple[date, str]] = []
    published: dict[str, date | None] = {}
    for article in corpus_records(corpus):
        day = published[str(article.get("id"))] = _published(article)
        if day is not None:
            dated.append((day, normal(article.get("text") or "")))
    dated.sort(key=lambda pair: pair[0])
    report = UnanswerableReport(out)
    kept: list[dict[str, Any]] = []
    for line in (kit / QUESTIONS).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        as_of = _before_evidence(record, published, dated, min_archive, report)
        if as_of is None:
            continue
        kept.append({**record, "id": f"{record['id']}-before", "question_date": as_of.isoformat(),
                     "answerable": False})
    if not kept:
        raise UserInputError(messages.KIT_NO_QUESTIONS.format(path=kit))
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(corpus, out / corpus.name)
    (out / QUESTIONS).write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in kept), encoding="utf-8")
    report.questions = len(kept)
    return report


def _before_evidence(record: dict[str, Any], published: dict[str, date | None],
                     dated: list[tuple[date, str]], min_archive: int, report: UnanswerableReport) -> date | None:
    """The day before the question's evidence was first published (its gold evidence, else the
    first article of the fortnight before the question that holds its answer), when no article of
    the weeks before then holds the answer and the archive already holds enough to be a fair
    test; else None, with the reason noted."""
    answer = normal(str(record.get("answer") or ""))
    if is_except_question(str(record.get("question", ""))) or len(answer) < MIN_ANSWER_CHARS:
        report.skip("an 'all of these except' question, or a gold answer too short to look for")
        return None
    evidence = [published.get(str(e)) for e in record.get("evidence_ids") or []]
    holding = [day for day, text in dated if answer in text]
    asked = _published({"published": record.get("question_date")})
    recent = [d for d in holding if asked and asked - timedelta(days=RECENT_DAYS) <= d <= asked]
    days = [d for d in evidence if d is not None] if evidence and None not in evidence else recent[:1]
    if not days:
        report.skip("no dated article of the fortnight before it holds its answer")
        return None
    as_of = min(days) - timedelta(days=1)
    if any(as_of - timedelta(days=LOOKBACK_DAYS) <= day <= as_of for day in holding):
        report.skip("the answer is in an article of the weeks before its evidence")
        return None
    if sum(1 for day, _ in dated if day <= as_of) < min_archive:
        report.skip(f"fewer than {min_archive} articles are older than its evidence")
        return None
    return as_of
