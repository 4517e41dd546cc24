"""The runner with a recording fake answerer and an in-memory article source (no model, no store)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.answer import Answer, Citation
from bot.query import Query, build_query
from evals.dataset import EvalQuestion, Mode
from evals.gold import SEED_CORPUS, SEED_GOLD, load_gold
from evals.kit import load_kit
from evals.runner import questions_for, run_questions
from index.errors import UserInputError
from index.models import Article

ARTICLE = Article(id="a1", title="Bridge", text="The council approved a bridge. It costs 40 million dollars.")


class RecordingAnswerer:
    """Answers from a plan keyed by question text, and records what it was asked."""

    def __init__(self, plan: dict[str, Answer]) -> None:
        self.plan = plan
        self.calls: list[tuple[str, date, tuple[str, ...]]] = []

    def ask(self, query: Query) -> Answer:
        self.calls.append((query.text, query.as_of, query.choices))
        return self.plan[query.text]


def make_query(text: str, as_of: date, choices: Sequence[str]) -> Query:
    return build_query(text, as_of, 1000, choices)


class Articles:
    def __init__(self, *articles: Article) -> None:
        self.by_id = {a.id: a for a in articles}

    def get_articles(self, ids: Sequence[str]) -> dict[str, Article]:
        return {i: self.by_id[i] for i in ids if i in self.by_id}


def cite(start: int, end: int, quote: str | None = None) -> Citation:
    return Citation("a1", "Bridge", None, None, None, None,
                    quote if quote is not None else ARTICLE.text[start:end], start, end)


def question(qid: str, **changes: Any) -> EvalQuestion:
    base = EvalQuestion(id=qid, question=f"q {qid}?", answers=("40 million dollars",),
                        answerable=True, type="how_many")
    return replace(base, **changes)


def test_questions_are_asked_as_of_their_date_without_choices_in_open_mode() -> None:
    q = question("1", as_of=date(2022, 3, 5), choices=("a", "b"), answer_index=0, evidence_ids=("a1",))
    answerer = RecordingAnswerer({q.question: Answer(q.question, "40 million dollars", [cite(30, 58)],
                                                     retrieved=["x", "a1"])})
    [result] = run_questions([q], answerer, Articles(ARTICLE), Mode.open, make_query)
    assert answerer.calls == [(q.question, date(2022, 3, 5), ())]
    o = result.outcome
    assert (o.correct, o.exact_match, o.f1, o.evidence_rank, o.supported) == (True, 1.0, 1.0, 2, True)
    assert result.to_json(Mode.open)["citations"][0]["valid"] is True


def test_choices_mode_passes_choices_and_maps_the_answer_by_exact_match() -> None:
    right = question("r", choices=("12 million", "40 million dollars"), answer_index=1)
    off = question("o", choices=("12 million", "40 million dollars"), answer_index=1)
    plan = {
        right.question: Answer(right.question, "40 million dollars", [cite(30, 58)]),
        off.question: Answer(off.question, "40 million", [cite(30, 58)]),  # not one of the choices
    }
    answerer = RecordingAnswerer(plan)
    results = run_questions([right, off], answerer, Articles(ARTICLE), Mode.choices, make_query)
    assert [c[2] for c in answerer.calls] == [right.choices, off.choices]
    assert [r.predicted_index for r in results] == [1, None]
    assert [r.outcome.choice_correct for r in results] == [True, False]
    assert all(r.outcome.exact_match is None for r in results)  # free-text scoring does not apply


def test_invalid_citations_are_counted_before_verification_hides_them() -> None:
    q = question("bad")
    forged = cite(30, 58, quote="It costs 90 million dollars.")
    answerer = RecordingAnswerer({q.question: Answer(q.question, "40 million dollars", [cite(30, 58), forged])})
    [result] = run_questions([q], answerer, Articles(ARTICLE), Mode.open, make_query)
    assert result.citation_valid == (True, False)
    assert (result.outcome.citations, result.outcome.valid_citations) == (2, 1)
    assert [c.quote for c in result.answer.citations] == [ARTICLE.text[30:58]]  # what a user sees


def test_an_answer_left_without_valid_citations_counts_as_an_abstention() -> None:
    q = question("forged", answerable=False, answers=(), type="unanswerable")
    forged = cite(0, 5, quote="Nope.")
    answerer = RecordingAnswerer({q.question: Answer(q.question, "Nope.", [forged])})
    [result] = run_questions([q], answerer, Articles(ARTICLE), Mode.open, make_query)
    assert result.answer.abstained and result.outcome.correct is True
    assert result.outcome.valid_citations == 0


def test_except_questions_are_asked_but_not_scored_as_free_text() -> None:
    q = question("x", question="The council did all of these except:", generation_scored=False)
    answerer = RecordingAnswerer({q.question: Answer(q.question, None, [])})
    [result] = run_questions([q], answerer, Articles(ARTICLE), Mode.open, make_query)
    assert result.outcome.correct is None and result.outcome.exact_match is None


def test_choices_mode_asks_only_questions_with_choices() -> None:
    qs = [question("1"), question("2", choices=("a",), answer_index=0)]
    assert [q.id for q in questions_for(qs, Mode.choices)] == ["2"]
    assert len(questions_for(qs, Mode.open)) == 2


def test_seed_gold_set_is_complete_and_its_quotes_are_verbatim() -> None:
    seeds = load_gold(SEED_GOLD)
    article_text = next(SEED_CORPUS.glob("*.txt")).read_text(encoding="utf-8")
    assert len(seeds.questions) >= 20
    assert sum(not q.answerable for q in seeds.questions) >= 3
    assert {"when", "who", "where", "how_many", "what", "why"} <= {q.type for q in seeds.questions}
    for q in seeds.questions:
        assert q.answerable == bool(q.answers) == bool(q.evidence_quotes), q.id
        for quote in q.evidence_quotes:
            assert quote in article_text, (q.id, quote)


@pytest.mark.parametrize(("line", "reason"), [
    ("not json", "invalid JSON"),
    ('{"id": "a", "question": "Q?", "answerable": true, "answers": []}', "at least one accepted answer"),
    ('{"id": "a", "question": "Q?", "answerable": false, "answers": ["x"]}', "empty 'answers'"),
    ('{"id": "a", "question": "Q?", "answerable": "yes", "answers": ["x"]}', "'answerable'"),
    ('{"id": "a", "question": "Q?", "answerable": true, "answers": ["x"], "as_of": "6 Jan"}', "not a date"),
    ('{"id": "a", "question": "Q?", "answerable": true, "answers": ["x"], "choices": ["y"]}', "none of the"),
])
def test_bad_gold_records_name_their_line(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "gold.jsonl"
    good = json.dumps({"id": "ok", "question": "Q?", "answerable": True, "answers": ["x"]})
    path.write_text(good + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(UserInputError, match=f"line 3: .*{reason}"):
        load_gold(path)


def test_a_directory_without_kit_files_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="corpus.jsonl.gz is missing"):
        load_kit(tmp_path)
    (tmp_path / "corpus.jsonl").write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    with pytest.raises(UserInputError, match="questions.jsonl is missing"):
        load_kit(tmp_path)


def test_building_a_dataset_index_waits_for_the_data_directory_writer_lock(tmp_path: Path) -> None:
    from bot.settings import load_settings
    from evals.archive import open_archive
    from index.errors import IndexBusyError
    from index.lock import write_lock

    settings = load_settings(home=tmp_path / "home")
    settings.ingest = settings.ingest.model_copy(update={"lock_timeout": 0})
    seeds = load_gold(SEED_GOLD, corpus=[SEED_CORPUS])
    with write_lock(settings.store.home), pytest.raises(IndexBusyError):
        open_archive(settings, seeds)
    assert not (settings.store.home / "chroma").exists()  # nothing was opened without the lock


def test_models_are_loaded_before_the_first_question_is_timed(tmp_path: Path) -> None:
    """The report's latency is the question's, not the model load's (issue 12)."""
    from bot.settings import load_settings
    from evals.archive import open_archive
    from index.encoders.embedder import SentenceTransformerEmbedder

    fresh = SentenceTransformerEmbedder()  # not the session's: nothing loaded yet
    runtime, info = open_archive(load_settings(home=tmp_path), load_gold(SEED_GOLD, corpus=[SEED_CORPUS]),
                                 embedder=fresh)
    assert "model" in fresh.__dict__ and "session" in runtime.sentence_encoder.__dict__  # both loaded
    assert info.ready_seconds > 0
