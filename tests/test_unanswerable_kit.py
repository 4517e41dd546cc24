"""Issue 24, item 5: an unanswerable kit for calibrating abstention, made from an answerable kit."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evals.kit import kit_namespace, load_kit
from evals.unanswerable import build_unanswerable_kit
from index.errors import UserInputError
from tests.conftest import REPO

ARTICLES = [
    {"id": "old", "url": "https://example.org/old", "title": "Zoo plans", "published": "2022-05-01",
     "text": "The city zoo said it hoped to welcome a new panda next year."},
    {"id": "ferry", "url": "https://example.org/ferry", "title": "Ferry named", "published": "2022-06-10",
     "text": "The new ferry will be called the Ardent Gull, the operator said."},
    {"id": "panda", "url": "https://example.org/panda", "title": "Panda arrives", "published": "2022-06-12",
     "text": "A panda named Mei Lan arrived at the city zoo on Sunday."},
    {"id": "harbour", "url": "https://example.org/harbour", "title": "Harbour", "published": "2022-06-01",
     "text": "Talks on the harbour ended without a deal."},
]
QUESTIONS: list[dict[str, Any]] = [
    {"id": "q1", "question": "What is the new ferry called?", "question_date": "2022-06-16", "answer": "Ardent Gull",
     "choices": ["Ardent Gull", "Sea Queen"], "answer_index": 0, "evidence_ids": ["ferry"]},
    {"id": "q2", "question": "Which city zoo animal arrived this week?", "question_date": "2022-06-16",
     "answer": "panda", "evidence_ids": ["panda"]},  # "panda" is in an older article: not unanswerable
    {"id": "q3", "question": "Who opened the harbour?", "question_date": "2022-06-16", "answer": "the mayor",
     "evidence_ids": ["missing"]},
]


def make_kit(folder: Path, questions: list[dict[str, Any]] = QUESTIONS) -> Path:
    folder.mkdir()
    with gzip.open(folder / "corpus.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(a) + "\n" for a in ARTICLES)
    (folder / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    return folder


def newsdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=REPO,
                          check=False, timeout=120)


def test_questions_are_asked_the_day_before_their_evidence_and_kept_only_when_nothing_earlier_answers(
    tmp_path: Path,
) -> None:
    kit = make_kit(tmp_path / "kit")
    report = build_unanswerable_kit(kit, tmp_path / "out", min_archive=1)
    assert report.questions == 1
    assert report.skipped == {"the answer is in an article of the weeks before its evidence": 1,
                              "no dated article of the fortnight before it holds its answer": 1}
    dataset = load_kit(tmp_path / "out")
    [question] = dataset.questions
    assert (question.id, question.as_of.isoformat() if question.as_of else None) == ("q1-before", "2022-06-09")
    assert (question.answerable, question.answers, question.answer_index) == (False, (), None)
    assert question.choices == ("Ardent Gull", "Sea Queen")
    # The same corpus, byte for byte: eval reuses the kit's index.
    assert kit_namespace(tmp_path / "out" / "corpus.jsonl.gz") == kit_namespace(kit / "corpus.jsonl.gz")


def test_the_command_says_what_it_wrote_and_refuses_a_folder_in_use(tmp_path: Path) -> None:
    kit = make_kit(tmp_path / "kit")
    result = newsdesk("kit", "unanswerable", str(kit), "--out", str(tmp_path / "out"), "--min-archive", "1")
    assert result.returncode == 0, result.stderr
    assert "wrote 1 unanswerable question(s)" in result.stdout
    again = newsdesk("kit", "unanswerable", str(kit), "--out", str(tmp_path / "out"))
    assert again.returncode != 0 and "not an empty folder" in again.stderr and "Traceback" not in again.stderr


def test_a_kit_with_no_usable_question_writes_nothing(tmp_path: Path) -> None:
    kit = make_kit(tmp_path / "kit", QUESTIONS[1:])
    with pytest.raises(UserInputError):
        build_unanswerable_kit(kit, tmp_path / "out", min_archive=1)
    assert not (tmp_path / "out").exists()


def test_a_question_whose_archive_is_nearly_empty_by_then_is_skipped(tmp_path: Path) -> None:
    kit = make_kit(tmp_path / "kit")
    with pytest.raises(UserInputError):
        build_unanswerable_kit(kit, tmp_path / "out", min_archive=5)


def test_answerable_must_be_a_boolean(tmp_path: Path) -> None:
    kit = make_kit(tmp_path / "kit", [{**QUESTIONS[0], "answerable": "no"}])
    with pytest.raises(UserInputError, match="'answerable' must be true or false"):
        load_kit(kit)
