"""Benchmark kits: a directory with `corpus.jsonl.gz` (articles), `questions.jsonl` and,
optionally, `baselines.json` (published results on the same questions). A directory whose
questions have key facts is a descriptive set instead (evals/descriptive.py).

Question fields used: id, question, question_date, choices, answer_index, answer,
evidence_ids, source, and `answerable` (false: the archive cannot answer it as of its date, so the
right outcome is to abstain; evals/unanswerable.py). Any directory in this format works, not only
RealTimeQA's.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from bot import messages
from evals.dataset import Dataset, EvalQuestion, guess_type, is_except_question
from evals.descriptive import is_descriptive, load_descriptive
from evals.gold import RecordError, read_question_lines
from index.errors import UserInputError

QUESTIONS = "questions.jsonl"
CORPUS_NAMES = ("corpus.jsonl.gz", "corpus.jsonl")
BASELINES = "baselines.json"


def corpus_file(directory: Path) -> Path | None:
    return next((directory / n for n in CORPUS_NAMES if (directory / n).is_file()), None)


def corpus_records(corpus: Path) -> Iterator[dict[str, Any]]:
    """The articles of a kit's corpus (`corpus.jsonl.gz` or `corpus.jsonl`), one JSON object a
    line, each with an 'id'; an unreadable file or a bad line is a UserInputError naming it."""
    try:
        with (gzip.open(corpus, "rt", encoding="utf-8") if corpus.suffix == ".gz"
              else corpus.open(encoding="utf-8")) as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    record = json.loads(line)
                    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                        raise UserInputError(messages.BAD_DATASET_RECORD.format(
                            path=corpus, line=number, reason="expected an article with an 'id'"))
                    yield record
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserInputError(messages.UNREADABLE_DATASET.format(path=corpus, reason=exc)) from exc


def load_kit(directory: Path) -> Dataset:
    corpus = corpus_file(directory)
    if corpus is None:
        raise UserInputError(messages.NOT_A_KIT.format(path=directory, missing=CORPUS_NAMES[0]))
    questions_path = directory / QUESTIONS
    if not questions_path.is_file():
        raise UserInputError(messages.NOT_A_KIT.format(path=directory, missing=QUESTIONS))
    if is_descriptive(questions_path):
        return load_descriptive(directory, questions_path, corpus)
    questions = read_question_lines(questions_path, parse_kit_record)
    return Dataset(
        name=directory.resolve().name, kind="kit", path=directory, questions=questions,
        corpus=[corpus], baselines=_baselines(directory / BASELINES),
    )


def parse_kit_record(record: Any) -> EvalQuestion:
    if not isinstance(record, dict):
        raise RecordError("expected a JSON object")
    qid, question = record.get("id"), record.get("question")
    if not isinstance(qid, (str, int)) or isinstance(qid, bool) or str(qid) == "":
        raise RecordError("'id' must be a non-empty string")
    if not isinstance(question, str) or not question.strip():
        raise RecordError("'question' must be a non-empty string")
    choices = record.get("choices") or []
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise RecordError("'choices' must be a list of strings")
    index = record.get("answer_index")
    answer = record.get("answer")
    if index is not None:
        if not isinstance(index, int) or not 0 <= index < len(choices):
            raise RecordError(f"'answer_index' {index!r} does not point into 'choices'")
        answer = answer if isinstance(answer, str) and answer else choices[index]
    elif isinstance(answer, str) and answer in choices:
        index = choices.index(answer)
    if not isinstance(answer, str) or not answer.strip():
        raise RecordError("needs 'answer' (text) or 'answer_index' with 'choices'")
    answerable = record.get("answerable", True)
    if not isinstance(answerable, bool):
        raise RecordError("'answerable' must be true or false")
    evidence = record.get("evidence_ids") or []
    if not isinstance(evidence, list):
        raise RecordError("'evidence_ids' must be a list of article ids")
    return EvalQuestion(
        id=str(qid),
        question=question.strip(),
        answers=(answer,) if answerable else (),
        answerable=answerable,
        type=guess_type(question),
        as_of=_date(record.get("question_date")),
        evidence_ids=tuple(str(e) for e in evidence),
        choices=tuple(choices),
        answer_index=index if answerable else None,
        source=str(record["source"]) if record.get("source") else None,
        generation_scored=not is_except_question(question),
    )


def kit_namespace(corpus: Path) -> str:
    """The kit's own archive, named by the corpus content: a changed corpus gets a new index."""
    digest = hashlib.sha1()
    with corpus.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "kit-" + digest.hexdigest()[:10]


def _baselines(path: Path) -> dict[str, Any] | None:
    """Published baselines ({"settings": {name: {task: {...}}}}); unreadable files are ignored."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    settings = data.get("settings") if isinstance(data, dict) else None
    return settings if isinstance(settings, dict) else None


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RecordError(f"'question_date' {value!r} is not a date (YYYY-MM-DD)") from None
