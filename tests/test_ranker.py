"""The learned answer ranker: candidates from stored annotations, features, training on a tiny
invented kit (deterministic, positives found), and a model file that loads and ranks the right
span first."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.extractive.answerer import ExtractiveAnswerer
from bot.extractive.candidates import Candidate, answer_text, gather
from bot.extractive.features import FEATURES, Context, feature_rows, nesting
from bot.extractive.ranker import RankerModel, load_model
from bot.extractive.ranker_fit import collect, collect_choices, fit, with_choices
from bot.query import Query
from bot.runtime import Runtime
from bot.settings import load_settings
from evals.dataset import EvalQuestion
from evals.ranker_training import examples
from index.encoders.embedder import HashingEmbedder
from index.memory_store import MemoryStore
from language.kinds import KINDS, AnswerType, Group
from language.question import analyse

AS_OF = date(2022, 6, 30)
# Invented weeks of news: who opened which bridge, which company bought which firm, how many jobs.
STORIES = [
    ("w1", "Bridge opens in Harlow", "Mayor Jane Okafor opened the new bridge in Harlow on Monday, "
     "the council said. Traffic from Essex Road will use it.", "Who opened the new bridge in Harlow?", "Jane Okafor"),
    ("w1", "Dairy firm sold", "Brightfield Foods bought the dairy firm Moorland Creamery for £40 million, "
     "the buyer said on Tuesday.", "Which company bought Moorland Creamery?", "Brightfield Foods"),
    ("w1", "Plant to close", "The carmaker will close its Leeds plant, cutting 1,200 jobs by March, "
     "union leaders said.", "How many jobs will the Leeds plant closure cut?", "1,200"),
    ("w2", "Ferry route restored", "Captain Tomas Lindqvist steered the first ferry back to Orkney on Friday, "
     "the operator said.", "Who steered the first ferry back to Orkney?", "Tomas Lindqvist"),
    ("w2", "Brewery changes hands", "Northgate Holdings bought the Kestrel Brewery in a deal agreed on Monday, "
     "both firms said.", "Which company bought the Kestrel Brewery?", "Northgate Holdings"),
    ("w2", "Mill shuts", "The paper mill in Fife will shut in May, cutting 340 jobs, the owners said on Monday.",
     "How many jobs will the Fife mill shutdown cut?", "340"),
    ("w3", "Museum reopens", "Curator Amara Diallo reopened the maritime museum in Hull on Sunday after "
     "a two-year refit.", "Who reopened the maritime museum in Hull?", "Amara Diallo"),
    ("w3", "Bakery chain bought", "Harbour Retail bought the bakery chain Crumb & Co in a deal announced "
     "on Wednesday, the company said.", "Which company bought the bakery chain Crumb & Co?", "Harbour Retail"),
    ("w3", "Depot closes", "The rail depot in Crewe will close next year, cutting 450 jobs, managers said on Friday.",
     "How many jobs will the Crewe depot closure cut?", "450"),
]


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Runtime, list[EvalQuestion]]:
    folder = tmp_path_factory.mktemp("kit")
    for n, (_, title, text, _, _) in enumerate(STORIES):
        (folder / f"{n}.txt").write_text(f" date 2022-06-{n + 10:02d} {title}\n{text}\n", encoding="utf-8")
    runtime = Runtime(load_settings(home=folder / "home"), embedder=HashingEmbedder(), store=MemoryStore())
    runtime.settings.answer = runtime.settings.answer.model_copy(update={"ranker": False})
    runtime.ingest([folder])
    questions = [EvalQuestion(id=f"{week}_{n}", question=q, answers=(a,), answerable=True, type="who", as_of=AS_OF)
                 for n, (week, _, _, q, a) in enumerate(STORIES)]
    return runtime, questions


def extractive(runtime: Runtime) -> ExtractiveAnswerer:
    answerer = runtime.raw_answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    return answerer


def measured(runtime: Runtime, query: Query) -> tuple[list[Candidate], Context]:
    """The candidates of `query` and what they are measured against, as the ranker and training see them."""
    answerer = extractive(runtime)
    return answerer.pickers.measuring.measure(query, answerer.read(query).sentences)


def test_candidates_come_from_stored_entities_and_phrases(kit: tuple[Runtime, list[EvalQuestion]]) -> None:
    runtime, questions = kit
    query = runtime.query(questions[0].question, AS_OF)
    found, _ = measured(runtime, query)
    by_text = {c.text: c for c in found}
    assert "Jane Okafor" in by_text
    assert any(m.source == "entity" and m.label == "PERSON" for m in by_text["Jane Okafor"].mentions)
    assert all(c.text != "Harlow" or c.mentions for c in found)
    assert answer_text("the oat milk,", AnswerType.ENTITY) == "oat milk"
    assert answer_text("Mayor Jane Okafor", AnswerType.PERSON) == "Jane Okafor"


def test_training_is_deterministic_and_the_model_ranks_the_right_span_first(
    kit: tuple[Runtime, list[EvalQuestion]], tmp_path: Path,
) -> None:
    runtime, questions = kit
    rows = collect(extractive(runtime), runtime.query, examples(questions, AS_OF))
    assert sum(g.answerable for g in rows) == len(questions)  # a right candidate for every question
    first = fit(rows, {"trained_on": ["invented"]})
    second = fit(collect(extractive(runtime), runtime.query, examples(questions, AS_OF)), {"trained_on": ["invented"]})
    assert first.model.to_json() == second.model.to_json()  # deterministic
    assert first.metrics["positives"] >= len(questions)

    path = tmp_path / "ranker.json"
    path.write_text(json.dumps(first.model.to_json()))
    model = RankerModel.from_json(json.loads(path.read_text()))
    assert model.answers.features == FEATURES and model.record["trained_on"] == ["invented"]
    for question in questions:
        query = runtime.query(question.question, AS_OF)
        found, context = measured(runtime, query)
        scores = model.probabilities(feature_rows(found, context))
        assert found[int(scores.argmax())].text == question.answers[0], question.question


def test_a_model_for_other_features_is_refused() -> None:
    with pytest.raises(ValueError, match="another format"):
        RankerModel.from_json({"format": 1, "features": ["something else"]})
    with pytest.raises(ValueError, match="other features"):
        RankerModel.from_json({"format": 1, "answer_threshold": 0.5, "choices": None,
                               "answers": {"features": ["other"], "mean": [0], "scale": [1], "weights": [1], "bias": 0}})


def test_the_choice_model_learns_which_choice_the_evidence_supports(
    kit: tuple[Runtime, list[EvalQuestion]],
) -> None:
    runtime, questions = kit
    answerer = extractive(runtime)
    answers = fit(collect(answerer, runtime.query, examples(questions, AS_OF)), {"trained_on": ["invented"]})
    choosing = [replace(q, choices=(q.answers[0], "Someone Else", "Elsewhere Ltd", "7"), answer_index=0)
                for q in questions]
    rows = collect_choices(answerer, answers.model, runtime.query, examples(choosing, AS_OF))
    assert len(rows) == len(questions) and all(len(r.rows) == 4 for r in rows)
    fitted = with_choices(answers, rows)
    assert fitted.model.choices is not None and fitted.metrics["choice_questions"] == len(questions)
    choosing_answerer = answerer.with_ranker(fitted.model)
    for question in choosing:
        query = runtime.query(question.question, AS_OF, question.choices)
        assert choosing_answerer.ask(query).answer == question.answers[0], question.question


def test_kinds_the_ranker_answers() -> None:
    assert analyse("Who opened the bridge?").kind is AnswerType.PERSON
    assert gather(analyse("Who opened the bridge?"), []) == []


def test_every_kind_is_measured_in_its_own_group(kit: tuple[Runtime, list[EvalQuestion]]) -> None:
    runtime, questions = kit
    query = runtime.query(questions[0].question, AS_OF)
    found, context = measured(runtime, query)
    for kind in AnswerType:
        asked = replace(context, info=replace(context.info, kind=kind))
        row = dict(zip(FEATURES, feature_rows(found, asked)[0]))
        groups = {g.value for g in Group if row[f"{g.value}:type_fit"] == row["type_fit"] != 0.0}
        assert groups == {KINDS[kind].group.value}, kind


def test_nesting_names_parts_of_longer_candidates() -> None:
    longer, shorter = nesting(["biden", "biden joe", "senate"])
    assert longer == {"biden"} and shorter == {"biden joe"}


def test_relative_features_compare_each_candidate_with_the_questions_best(
    kit: tuple[Runtime, list[EvalQuestion]],
) -> None:
    runtime, questions = kit
    query = runtime.query(questions[0].question, AS_OF)
    found, context = measured(runtime, query)
    rows = feature_rows(found, context)
    assert len(rows) == len(found) >= 2 and all(len(row) == len(FEATURES) for row in rows)
    own, share, is_best = FEATURES.index("evidence"), FEATURES.index("evidence/best"), FEATURES.index("evidence:best")
    top = max(row[own] for row in rows)
    for row in rows:
        assert row[share] == pytest.approx(row[own] / top) and row[is_best] == float(row[own] == top)


def test_the_kind_asked_for_is_a_good_sign_and_the_questions_subject_a_poor_one(
    kit: tuple[Runtime, list[EvalQuestion]],
) -> None:
    runtime, _ = kit
    query = runtime.query("Which museum did Amara Diallo reopen?", AS_OF)
    found, context = measured(runtime, query)
    values = {c.text: dict(zip(FEATURES, row)) for c, row in zip(found, feature_rows(found, context))}
    assert values["maritime museum"]["focus_words"] == 1.0 and values["maritime museum"]["question_words"] == 0.0
    assert values["Curator Amara Diallo"]["question_words"] > 0.5 and values["Curator Amara Diallo"]["focus_words"] == 0.0
    assert analyse("How many members of the police were injured?").focus == "members of the police"


def test_the_shipped_model_loads_with_the_record_of_its_training() -> None:
    model = load_model()
    assert model is not None and model.answers.features == FEATURES
    record = model.record
    assert record["trained_on"] == ["realtimeqa-dev"] and record["features"] == list(FEATURES)
    assert {"commit", "weeks", "learner", "metrics"} <= set(record)
    assert "2023" not in " ".join(record["weeks"])  # never the confirm kit's weeks


@pytest.mark.parametrize("content", [None, "{}", "not json"])
def test_a_missing_or_broken_ranker_model_is_one_clear_line(tmp_path: Path, content: str | None) -> None:
    """NEWSDESK_ANSWER_RANKER_MODEL naming a missing or broken file: exit 2 and what to do, no traceback."""
    from tests.test_archive_safety import newsdesk, write

    home, model = tmp_path / "home", tmp_path / "ranker.json"
    if content is not None:
        model.write_text(content, encoding="utf-8")
    write(tmp_path / "news", "a.txt", " date 2022-03-01 Harbour fire\nMayor Jane Okafor opened the harbour on Tuesday.\n")
    assert newsdesk("ingest", str(tmp_path / "news"), home=home).returncode == 0
    done = newsdesk("ask", "Who opened the harbour?", home=home, NEWSDESK_ANSWER_RANKER_MODEL=str(model))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and str(model) in done.stderr and "train-ranker" in done.stderr
