"""Descriptive sets: a directory with `corpus.jsonl` (the archive: id, url, title, text,
published, source) and `questions.jsonl`, one question a line:

    {"id": str, "question": str, "as_of": "YYYY-MM-DD",
     "shape": "overview" | "timeline" | "latest" | "why" | "list" | "factoid",
     "key_facts": [{"fact": str, "accept": [short strings written in an article],
                    "article_ids": [str, ...], "date": "YYYY-MM-DD" | null}, ...],
     "story_article_ids": [str, ...] (optional: the articles of the question's story)}

A kit directory whose questions have `key_facts` is read as a descriptive set (`is_descriptive`).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from evals.dataset import Dataset, DescriptiveQuestion, KeyFact
from evals.gold import RecordError, read_question_lines, required_text
from language.shapes import Shape

SHAPES = tuple(s.value for s in Shape)


def is_descriptive(questions: Path) -> bool:
    """Whether the first record of a questions file has key facts (a descriptive set's mark).
    An unreadable file or a malformed first line is left to the kit loader to report."""
    try:
        with questions.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
        record = json.loads(first)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(record, dict) and "key_facts" in record


def load_descriptive(directory: Path, questions: Path, corpus: Path) -> Dataset:
    return Dataset(
        name=directory.resolve().name, kind="descriptive", path=directory, questions=[],
        corpus=[corpus], descriptive=read_question_lines(questions, parse_descriptive_record),
    )


def parse_descriptive_record(record: Any) -> DescriptiveQuestion:
    if not isinstance(record, dict):
        raise RecordError("expected a JSON object")
    shape = record.get("shape")
    if shape not in SHAPES:
        raise RecordError(f"'shape' must be one of {', '.join(SHAPES)} (got {shape!r})")
    facts = record.get("key_facts")
    if not isinstance(facts, list) or not facts:
        raise RecordError("'key_facts' must be a non-empty list of {\"fact\", \"accept\", \"article_ids\", "
                          "\"date\"} objects")
    as_of = _date(record.get("as_of"), "as_of")
    if as_of is None:
        raise RecordError("'as_of' is required: the date the question is asked as of (YYYY-MM-DD)")
    return DescriptiveQuestion(
        id=required_text(record, "id"),
        question=required_text(record, "question"),
        as_of=as_of,
        shape=shape,
        key_facts=tuple(_key_fact(f, n) for n, f in enumerate(facts, start=1)),
        story_article_ids=tuple(_strings(record, "story_article_ids", required=False)),
    )


def _key_fact(record: Any, number: int) -> KeyFact:
    where = f"key fact {number}"
    if not isinstance(record, dict):
        raise RecordError(f"{where}: expected a JSON object")
    try:
        return KeyFact(
            fact=required_text(record, "fact"),
            accept=tuple(_strings(record, "accept", required=True)),
            article_ids=tuple(_strings(record, "article_ids", required=False)),
            date=_date(record.get("date"), "date"),
        )
    except RecordError as exc:
        raise RecordError(f"{where}: {exc}") from None



def _strings(record: dict[str, Any], key: str, required: bool) -> list[str]:
    value = record.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value) \
            or (required and not value):
        raise RecordError(f"'{key}' must be a {'non-empty ' if required else ''}list of non-empty strings")
    return list(value)


def _date(value: Any, key: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RecordError(f"'{key}' {value!r} is not a date (YYYY-MM-DD)") from None
