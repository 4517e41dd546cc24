"""Confidently wrong answers found by a new user (issue 12), asked of the real answerer.

Real model, real Chroma, invented articles. Each of these failed before its fix.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.runtime import Runtime
from tests.conftest import SEEDS, ask, ingest_into

pytestmark = pytest.mark.slow


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_a_past_event_is_never_dated_after_the_article_reporting_it(runtime: Runtime, tmp_path: Path) -> None:
    write(tmp_path / "a", "mars.txt",
          " date 2022-11-16 Rover finds new layers on Mars\n"
          "The rover drilled into a crater wall on Mars, scientists said. The agency plans to land humans "
          "on Mars in the 2030s. A photo taken on March 17 shows the drill site.\n")
    ingest_into(runtime, tmp_path / "a")
    answer = ask(runtime, "When did the first humans land on Mars?", as_of=date(2026, 11, 29))
    assert answer.answer != "17 March 2023"
    assert "2023" not in (answer.answer or "")


def test_a_count_is_not_taken_from_a_date(runtime: Runtime, tmp_path: Path) -> None:
    write(tmp_path / "a", "mobilization.txt",
          " date 2022-09-22 Partial mobilization ordered\n"
          "The president announced a partial mobilization on September 21. Up to 300,000 reservists could "
          "be conscripted under the order, the defence minister said on Wednesday.\n")
    ingest_into(runtime, tmp_path / "a")
    answer = ask(runtime, "How many men could be conscripted under the president's partial mobilization?",
                 as_of=date(2022, 9, 30))
    assert answer.answer is not None and "300,000" in answer.answer


def test_leading_noise_and_markup_do_not_change_the_answer(runtime: Runtime) -> None:
    ingest_into(runtime, SEEDS)
    for question in ("<!channel> *bold* _it_ When did protests reach Almaty?", "bold it When did protests reach Almaty?"):
        assert ask(runtime, question).answer == "4 January 2022", question


def test_a_name_is_not_taken_from_a_sentence_that_is_no_evidence(runtime: Runtime, tmp_path: Path) -> None:
    write(tmp_path / "a", "recall.txt", " date 2022-08-20 Carmaker recall\nThe carmaker recalled 2.9 million "
          "vehicles this week over a fault in the brake software, the company said.\n")
    ingest_into(runtime, tmp_path / "a", SEEDS)
    answer = ask(runtime, "Which company recalled 2.9 million vehicles this week?", as_of=date(2022, 8, 25))
    assert answer.citations and answer.citations[0].title == "Carmaker recall"  # not a place from the seed
