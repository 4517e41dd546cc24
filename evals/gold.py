"""Gold JSONL files: hand-written or exported question sets, one JSON object per line.

    {"id": str, "question": str, "answers": [accepted answer strings], "answerable": bool,
     "type": "when|who|where|how_many|what|why|unanswerable|...", "as_of": "YYYY-MM-DD" | null,
     "evidence": [{"article_id": str | null, "quote": str}], "choices": [str, ...] (optional)}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

from bot import messages
from evals.dataset import Dataset, EvalQuestion, guess_type
from index.errors import UserInputError

DATA = Path(__file__).resolve().parent / "data"
SEED_GOLD = DATA / "seeds.jsonl"
# The articles the seed gold set was written from; a source checkout has them at the top level.
SEED_CORPUS = Path(__file__).resolve().parent.parent / "seeds"


class RecordError(ValueError):
    """One malformed record; the loader adds the file and line."""


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


Q = TypeVar("Q", bound=_Identified)


def read_question_lines(path: Path, parse: Callable[[Any], Q]) -> list[Q]:
    """One question per JSON line, parsed by `parse`; a bad line is a UserInputError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(messages.UNREADABLE_DATASET.format(path=path, reason=exc)) from exc
    questions: list[Q] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = parse(json.loads(line))
            if question.id in seen:
                raise RecordError(f"duplicate id '{question.id}'")
        except (json.JSONDecodeError, RecordError) as exc:
            reason = f"invalid JSON: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise UserInputError(
                messages.BAD_DATASET_RECORD.format(path=path, line=number, reason=reason)
            ) from None
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise UserInputError(messages.EMPTY_DATASET.format(path=path))
    return questions


def load_gold(path: Path, corpus: list[Path] | None = None) -> Dataset:
    """Read and check a gold file. Every problem names its line; nothing is half-loaded."""
    questions = read_question_lines(path, parse_gold_record)
    return Dataset(name=path.name, kind="gold", path=path, questions=questions, corpus=corpus)


def parse_gold_record(record: Any) -> EvalQuestion:
    if not isinstance(record, dict):
        raise RecordError("expected a JSON object")
    qid = required_text(record, "id")
    question = required_text(record, "question")
    answerable = record.get("answerable")
    if not isinstance(answerable, bool):
        raise RecordError("'answerable' must be true or false")
    answers = _strings(record, "answers")
    if answerable and not answers:
        raise RecordError("an answerable question needs at least one accepted answer in 'answers'")
    if not answerable and answers:
        raise RecordError("an unanswerable question must have an empty 'answers' list")
    choices = _strings(record, "choices")
    answer_index = None
    if choices and answerable:
        answer_index = next((choices.index(a) for a in answers if a in choices), None)
        if answer_index is None:
            raise RecordError("'choices' are given but none of the 'answers' is one of them")
    evidence = record.get("evidence") or []
    if not isinstance(evidence, list) or not all(isinstance(e, dict) for e in evidence):
        raise RecordError("'evidence' must be a list of {\"article_id\": ..., \"quote\": ...} objects")
    evidence_ids = tuple(dict.fromkeys(str(e["article_id"]) for e in evidence if e.get("article_id")))
    quotes = tuple(str(e["quote"]) for e in evidence if e.get("quote"))
    kind = record.get("type")
    return EvalQuestion(
        id=qid,
        question=question,
        answers=tuple(answers),
        answerable=answerable,
        type=str(kind) if kind else ("unanswerable" if not answerable else guess_type(question)),
        as_of=_date(record.get("as_of")),
        evidence_ids=evidence_ids,
        evidence_quotes=quotes,
        choices=tuple(choices),
        answer_index=answer_index,
        source=str(record["source"]) if record.get("source") else None,
    )


def required_text(record: dict[str, Any], key: str) -> str:
    """A record's non-empty string field (an int id is read as its digits); else a RecordError."""
    value = record.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"'{key}' must be a non-empty string")
    return value.strip()


def _strings(record: dict[str, Any], key: str) -> list[str]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RecordError(f"'{key}' must be a list of non-empty strings")
    return list(value)


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RecordError(f"'{value}' is not a date: use YYYY-MM-DD") from None
