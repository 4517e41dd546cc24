"""`newsdesk eval DIR` on a descriptive set, end to end: a tiny invented story with its own real
index on disk, the report and its figures per shape, the as-of filter, the gate, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from evals.descriptive_metrics import DESCRIPTIVE_KEYS
from index.errors import UserInputError
from tests.conftest import REPO

runner = CliRunner()

ARTICLES = [
    {"id": "dam-1", "published": "2022-05-03", "source": "example.org", "url": "https://example.org/dam-1",
     "title": "Orlen Bay dam cracks",
     "text": "The Orlen Bay dam cracked on Tuesday after a week of heavy rain. Engineers from Marn "
             "inspected the crack in the dam wall and ordered the valley below evacuated."},
    {"id": "dam-2", "published": "2022-05-05", "source": "example.org", "url": "https://example.org/dam-2",
     "title": "Engineers drain Orlen Bay reservoir",
     "text": "Engineers began draining the upper reservoir behind the Orlen Bay dam on Thursday. "
             "About 4,000 residents of Tessel and Harrow spent a second night in shelters."},
    {"id": "dam-3", "published": "2022-05-09", "source": "example.net", "url": "https://example.net/dam-3",
     "title": "Farms reopen below the Orlen Bay dam",
     "text": "Farms in the valley below the Orlen Bay dam reopened on Monday, after the reservoir "
             "was drained and the crack was sealed with concrete."},
    # After the questions' date: never shown for them.
    {"id": "dam-4", "published": "2022-05-20", "source": "example.net", "url": "https://example.net/dam-4",
     "title": "Orlen Bay dam inquiry",
     "text": "An inquiry found that the Orlen Bay dam had not been inspected for eleven years."},
    {"id": "ferry", "published": "2022-05-04", "source": "example.org", "url": "https://example.org/ferry",
     "title": "Marn ferry resumes", "text": "The Marn ferry resumed its crossings to Orlen Island on Wednesday."},
]
DAM_STORY = ["dam-1", "dam-2", "dam-3", "dam-4"]


def fact(text: str, accept: list[str], article: str, day: str | None = None) -> dict[str, Any]:
    return {"fact": text, "accept": accept, "article_ids": [article], "date": day}


QUESTIONS: list[dict[str, Any]] = [
    {"id": "dam-overview", "question": "What happened at the Orlen Bay dam?", "as_of": "2022-05-10",
     "shape": "overview", "story_article_ids": DAM_STORY, "key_facts": [
         fact("The dam cracked after heavy rain", ["dam cracked"], "dam-1"),
         fact("The valley was evacuated", ["valley below evacuated"], "dam-1"),
         fact("The reservoir was drained", ["draining the upper reservoir"], "dam-2"),
         fact("Farms reopened", ["Farms in the valley", "reopened on Monday"], "dam-3")]},
    {"id": "dam-timeline", "question": "Give me a timeline of the Orlen Bay dam crisis.", "as_of": "2022-05-10",
     "shape": "timeline", "story_article_ids": DAM_STORY, "key_facts": [
         fact("The dam cracked", ["dam cracked"], "dam-1", "2022-05-03"),
         fact("Draining began", ["began draining"], "dam-2", "2022-05-05"),
         fact("Farms reopened", ["reopened on Monday"], "dam-3", "2022-05-09")]},
    {"id": "dam-list", "question": "Which towns were evacuated below the Orlen Bay dam?", "as_of": "2022-05-10",
     "shape": "list", "key_facts": [
         fact("Tessel", ["Tessel"], "dam-2"), fact("Harrow", ["Harrow"], "dam-2")]},
]


def run_eval(*args: str, home: Path) -> Any:
    return runner.invoke(app, ["eval", *args, "--data-dir", str(home)], catch_exceptions=False)


@pytest.fixture(scope="module")
def described(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("descriptive")
    (root / "corpus.jsonl").write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    (root / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("descriptive-home")


@pytest.fixture(scope="module")
def report(described: Path, home: Path) -> dict[str, Any]:
    result = run_eval(str(described), "--json", str(home / "base.json"), home=home)
    assert result.exit_code == 0, result.output
    assert "key-fact recall" in result.stdout and "By shape asked" in result.stdout
    data: dict[str, Any] = json.loads((home / "base.json").read_text(encoding="utf-8"))
    return data


def test_the_report_holds_the_headline_figures_and_the_figures_per_shape(report: dict[str, Any]) -> None:
    assert report["dataset"]["kind"] == "descriptive" and report["dataset"]["asked"] == len(QUESTIONS)
    m = report["metrics"]
    assert list(m) == list(DESCRIPTIVE_KEYS)
    assert m["citation_validity"] == 1.0
    assert 0.0 <= m["key_fact_recall"] <= 1.0 and m["latency_p50_ms"] > 0
    assert report["counts"]["key_facts"] == sum(len(q["key_facts"]) for q in QUESTIONS)
    shapes = report["by_shape"]
    assert set(shapes) == {"overview", "timeline", "list"}
    assert (shapes["overview"]["n"], shapes["overview"]["key_facts"]) == (1, 4)
    index = report["index"]
    assert index["namespace"].startswith("kit-") and index["articles"] == len(ARTICLES)


def test_every_question_has_a_record_of_what_was_shown_and_found(report: dict[str, Any]) -> None:
    records = {r["id"]: r for r in report["questions"]}
    for q in QUESTIONS:
        record = records[q["id"]]
        assert record["shape"] == q["shape"] and record["as_of"] == q["as_of"]
        assert len(record["key_facts"]) == len(q["key_facts"])
        assert "dam-4" not in record["retrieved"]  # published after the question's date
        assert all(c["valid"] for c in record["citations"])
        shown = record["shown"].lower()
        for found in record["key_facts"]:
            assert (found["matched"] is not None) == found["covered"]
            if found["covered"]:
                assert " ".join(found["matched"].lower().split()) in " ".join(shown.split())
        for item in record["items"]:
            assert item["in_story"] == (item["article_id"] in (q.get("story_article_ids") or
                                                               [f["article_ids"][0] for f in q["key_facts"]]))


def test_the_gate_reads_the_descriptive_figures(described: Path, home: Path, report: dict[str, Any]) -> None:
    again = run_eval(str(described), "--baseline", str(home / "base.json"), home=home)
    assert again.exit_code == 0, again.output
    assert "No headline metric dropped" in again.stdout
    planted = dict(report, metrics=dict(report["metrics"], key_fact_recall=report["metrics"]["key_fact_recall"] + 0.2,
                                        latency_p50_ms=0.001))
    (home / "planted.json").write_text(json.dumps(planted), encoding="utf-8")
    worse = run_eval(str(described), "--baseline", str(home / "planted.json"), home=home)
    assert worse.exit_code == 1
    assert "key_fact_recall dropped" in worse.stderr and "latency" not in worse.stderr


def test_a_descriptive_set_has_no_choices_mode(described: Path, home: Path) -> None:
    with pytest.raises(UserInputError, match="has choices"):
        run_eval(str(described), "--mode", "choices", home=home)


def test_a_malformed_line_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text(json.dumps(ARTICLES[0]) + "\n", encoding="utf-8")
    broken = dict(QUESTIONS[2], key_facts=[{"fact": "Tessel", "article_ids": ["dam-2"]}])
    (tmp_path / "questions.jsonl").write_text(json.dumps(QUESTIONS[0]) + "\n" + json.dumps(broken) + "\n",
                                              encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "bot.cli", "eval", str(tmp_path), "--data-dir", str(tmp_path / "h")],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'questions.jsonl'}, line 2: key fact 1: 'accept' must be a non-empty list of non-empty strings"]
    assert not (tmp_path / "h" / "chroma").exists()  # refused before any index was built
