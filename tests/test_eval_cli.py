"""`newsdesk eval` end to end through the CLI: the seed gold set, and a small synthetic kit
exercising the as-of filter, choices mode, index reuse and the regression gate."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli.main import app

runner = CliRunner()

METRICS = [
    "exact_match", "f1", "answer_accuracy", "accuracy", "hit@1", "hit@5", "hit@10", "mrr",
    "citation_validity", "citation_support", "abstention_precision", "abstention_recall",
    "latency_p50_ms", "latency_p95_ms",
]
RECORD_FIELDS = {"id", "question", "gold", "answer", "correct", "citations", "retrieved", "latency_ms"}


def run_eval(*args: str, home: Path) -> Any:
    return runner.invoke(app, ["eval", *args, "--data-dir", str(home)], catch_exceptions=False)


# -- the seed gold set --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("seed-eval")
    result = run_eval("--json", str(base / "seeds.json"), home=base / "home")
    assert result.exit_code == 0, result.output
    assert "citation validity" in result.stdout  # the table was printed
    report: dict[str, Any] = json.loads((base / "seeds.json").read_text(encoding="utf-8"))
    return report


def test_seed_eval_reports_every_metric_and_every_question(seed_report: dict[str, Any]) -> None:
    assert list(seed_report["metrics"]) == METRICS
    assert seed_report["metrics"]["citation_validity"] == 1.0
    assert seed_report["metrics"]["accuracy"] is None  # open mode
    assert seed_report["metrics"]["abstention_recall"] is not None  # the set has unanswerables
    assert seed_report["metrics"]["hit@10"] is not None  # the set names its evidence
    assert seed_report["dataset"]["kind"] == "gold"
    assert seed_report["dataset"]["asked"] == len(seed_report["questions"]) >= 20
    assert {"when", "who", "where", "how_many", "unanswerable"} <= set(seed_report["by_type"])
    assert seed_report["index"]["articles"] == 1
    for record in seed_report["questions"]:
        assert RECORD_FIELDS <= set(record)
        assert all(c["valid"] for c in record["citations"])


# Seed questions answered right (or abstained on, for the unanswerable ones) at the last change to
# the answerer: none may regress. Grow this set as the answerer improves.
RIGHT_SO_FAR = {
    "count-emergency", "count-injured", "count-killed", "none-before-publication", "none-new-pm",
    "none-troop-count", "none-world-cup",
    "what-article", "when-almaty", "when-csto-announcement", "when-protest-span", "when-resignation", "when-start",
    "where-flashbangs", "where-region", "who-president", "who-tv", "why-protests",
}


def test_seed_questions_answered_right_stay_right(seed_report: dict[str, Any]) -> None:
    right = {r["id"] for r in seed_report["questions"] if r["correct"]}
    assert RIGHT_SO_FAR - right == set()


@pytest.mark.xfail(strict=False, reason="the extractive answerer does not yet give short answers "
                   "to every seed question: who/what/why misses, see docs/evals.md")
def test_every_answerable_seed_question_is_answered_correctly(seed_report: dict[str, Any]) -> None:
    wrong = [(r["id"], r["answer"]) for r in seed_report["questions"]
             if r["gold"]["answerable"] and not r["correct"]]
    assert wrong == []


# -- a synthetic kit ----------------------------------------------------------------------------

ARTICLES = [
    {"id": "bridge", "published": "2022-03-01", "url": "https://example.org/2022/03/01/bridge",
     "title": "Riverton council approves Lark River bridge",
     "text": "The city council of Riverton approved a new bridge over the Lark River on Monday. "
             "The bridge will cost 40 million dollars. Construction begins in May."},
    {"id": "snow", "published": "2022-03-02", "url": "https://example.org/2022/03/02/snow",
     "title": "Snow closes Hallam schools",
     "text": "Heavy snow fell across the northern provinces on Tuesday. "
             "Schools in Hallam closed for two days because of the snow."},
    {"id": "harbour-soon", "published": "2022-03-03", "url": "https://example.org/2022/03/03/harbour",
     "title": "Riverton to appoint a harbour master",
     "text": "The harbour authority of Riverton said it would appoint a new harbour master soon. "
             "It did not name a candidate."},
    # Published after the first harbour question: it holds the answer and must not be used for it.
    {"id": "harbour-named", "published": "2022-03-20", "url": "https://example.org/2022/03/20/named",
     "title": "Dana Whitlock named Riverton harbour master",
     "text": "The mayor of Riverton named Dana Whitlock as the new harbour master of Riverton. "
             "Whitlock ran the ferry service for ten years."},
]
HARBOUR = "Who was named the new harbour master of Riverton?"
QUESTIONS = [
    {"id": "w1_0", "question": "How much will the new bridge over the Lark River cost?",
     "question_date": "2022-03-05", "choices": ["12 million dollars", "40 million dollars", "1 billion dollars"],
     "answer_index": 1, "answer": "40 million dollars", "evidence_ids": ["bridge"], "source": "CNN"},
    {"id": "w1_1", "question": "Why did schools in Hallam close?", "question_date": "2022-03-05",
     "choices": ["a strike", "heavy snow", "a flood"], "answer_index": 1, "answer": "heavy snow",
     "evidence_ids": ["snow"], "source": "USAtoday"},
    {"id": "w1_2", "question": HARBOUR, "question_date": "2022-03-10",
     "choices": ["Dana Whitlock", "Sam Ortiz", "Lee Chan"], "answer_index": 0, "answer": "Dana Whitlock",
     "evidence_ids": [], "source": "CNN"},
    {"id": "w1_3", "question": "The Riverton council approved all of these except:",
     "question_date": "2022-03-05", "choices": ["a bridge", "a stadium"], "answer_index": 1,
     "answer": "a stadium", "evidence_ids": [], "source": "THE WEEK"},
    {"id": "w3_0", "question": HARBOUR, "question_date": "2022-03-25",
     "choices": ["Dana Whitlock", "Sam Ortiz", "Lee Chan"], "answer_index": 0, "answer": "Dana Whitlock",
     "evidence_ids": ["harbour-named"], "source": "CNN"},
]
BASELINES = {"settings": {"toy_reader": {
    "multiple_choice": {"n_questions": 5, "accuracy": 0.6},
    "generation": {"n_questions": 5, "n_scored": 4, "exact_match": 0.25, "f1": 0.375},
}}}


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kit")
    with gzip.open(root / "corpus.jsonl.gz", "wt", encoding="utf-8") as corpus:
        corpus.writelines(json.dumps(a) + "\n" for a in ARTICLES)
    (root / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    (root / "baselines.json").write_text(json.dumps(BASELINES), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def kit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kit-home")


@pytest.fixture(scope="module")
def kit_report(kit: Path, kit_home: Path) -> dict[str, Any]:
    result = run_eval(str(kit), "--json", str(kit_home / "open.json"), home=kit_home)
    assert result.exit_code == 0, result.output
    assert "toy_reader" in result.stdout  # published baselines beside our numbers
    report: dict[str, Any] = json.loads((kit_home / "open.json").read_text(encoding="utf-8"))
    return report


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in report["questions"]}


def test_kit_articles_published_after_the_question_date_are_never_used(kit_report: dict[str, Any]) -> None:
    before, after = by_id(kit_report)["w1_2"], by_id(kit_report)["w3_0"]
    assert before["as_of"] == "2022-03-10"
    assert "harbour-named" not in before["retrieved"]
    assert all(c["article_id"] != "harbour-named" for c in before["citations"])
    # The same question a week later may use it: the filter, not the retriever, kept it out.
    assert "harbour-named" in after["retrieved"]
    assert after["evidence_rank"] is not None


def test_kit_open_mode_report(kit_report: dict[str, Any]) -> None:
    m = kit_report["metrics"]
    assert list(m) == METRICS
    assert m["citation_validity"] == 1.0
    assert m["accuracy"] is None and m["exact_match"] is not None and m["f1"] is not None
    assert m["abstention_precision"] is None and m["abstention_recall"] is None  # nothing unanswerable
    assert m["hit@10"] is not None  # two questions name their evidence
    assert kit_report["counts"]["generation_scored"] == 4  # the "except:" question is left out
    assert by_id(kit_report)["w1_3"]["correct"] is None
    assert set(kit_report["by_source"]) == {"CNN", "USAtoday", "THE WEEK"}
    assert kit_report["baselines"] == BASELINES["settings"]
    index = kit_report["index"]
    assert index["namespace"].startswith("kit-") and index["articles"] == len(ARTICLES)
    assert index["added"] == len(ARTICLES) and not index["reused"]


def test_kit_choices_mode(kit: Path, kit_home: Path, kit_report: dict[str, Any]) -> None:
    out = kit_home / "choices.json"
    result = run_eval(str(kit), "--mode", "choices", "--json", str(out), home=kit_home)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["mode"] == "choices"
    m = report["metrics"]
    assert m["accuracy"] is not None and 0.0 <= m["accuracy"] <= 1.0
    assert m["exact_match"] is None and m["f1"] is None and m["answer_accuracy"] is None
    assert m["citation_validity"] in (1.0, None)
    for record in report["questions"]:
        assert record["choices"] and "predicted_index" in record
        if record["predicted_index"] is not None:
            assert record["answer"] == record["choices"][record["predicted_index"]]
    assert report["index"]["reused"] is True  # built by the open-mode run


def test_kit_index_is_reused_and_the_gate_passes_against_itself(
    kit: Path, kit_home: Path, kit_report: dict[str, Any]
) -> None:
    again = kit_home / "again.json"
    result = run_eval(str(kit), "--json", str(again), "--baseline", str(kit_home / "open.json"), home=kit_home)
    assert result.exit_code == 0, result.output
    assert "No headline metric dropped" in result.stdout
    index = json.loads(again.read_text(encoding="utf-8"))["index"]
    assert (index["reused"], index["added"], index["unchanged"]) == (True, 0, len(ARTICLES))


def test_gate_fails_on_a_planted_regression(kit: Path, kit_home: Path, kit_report: dict[str, Any]) -> None:
    planted = dict(kit_report, metrics=dict(kit_report["metrics"]))
    planted["metrics"]["f1"] = kit_report["metrics"]["f1"] + 0.05  # "we used to be 5 points better"
    planted["metrics"]["latency_p50_ms"] = 0.001  # latency is not gated
    baseline = kit_home / "planted.json"
    baseline.write_text(json.dumps(planted), encoding="utf-8")
    result = run_eval(str(kit), "--baseline", str(baseline), home=kit_home)
    assert result.exit_code == 1
    assert "f1 dropped" in result.stderr
    assert "latency" not in result.stderr


def test_bad_dataset_paths_get_one_clear_line(tmp_path: Path) -> None:
    from index.errors import UserInputError

    with pytest.raises(UserInputError, match="No dataset at"):
        run_eval(str(tmp_path / "missing.jsonl"), home=tmp_path / "home")
    with pytest.raises(UserInputError, match="not an eval kit"):
        run_eval(str(tmp_path), home=tmp_path / "home")
