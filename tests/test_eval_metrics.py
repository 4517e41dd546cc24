"""Metric functions against hand-computed cases, RealTimeQA's normalisation quirks included."""

from __future__ import annotations

import pytest

from evals.dataset import guess_type, is_except_question
from evals.gate import compare
from evals.metrics import (
    METRIC_KEYS,
    Outcome,
    aggregate,
    answer_matches,
    contains_tokens,
    evidence_rank,
    exact_match,
    normalize_rtqa,
    percentile,
    supported_by,
    token_f1,
)
from language.terms import normalize_answer


def test_rtqa_normalisation_keeps_its_quirks() -> None:
    # ASCII punctuation goes, curly quotes and dashes stay, articles stay, CJK counters go.
    assert normalize_rtqa("  The U.S.  Senate! ") == "the us senate"
    assert normalize_rtqa("“Squid Game”") == "“squid game”"
    assert normalize_rtqa("Kassym-Jomart") == "kassymjomart"
    assert normalize_rtqa("fuel – gas") == "fuel – gas"
    assert normalize_rtqa("20歳") == "20"


def test_exact_match_follows_the_rtqa_scorer() -> None:
    assert exact_match("the us senate", ["The U.S. Senate"]) == 1.0
    assert exact_match("Beatles", ["The Beatles"]) == 0.0  # articles are not removed
    assert exact_match("Squid Game", ["“Squid Game”"]) == 0.0  # curly quotes are not removed
    assert exact_match("Europe", ["Asia", "europe"]) == 1.0  # best over gold answers
    assert exact_match("", ["Europe"]) == 0.0


def test_token_f1_by_hand() -> None:
    # 2 shared tokens; precision 2/3, recall 2/3 -> F1 2/3.
    assert token_f1("the cat sat", ["cat sat down"]) == pytest.approx(2 / 3)
    # precision 1/1, recall 1/4 -> 2 * 1 * 0.25 / 1.25 = 0.4; the other gold scores 0.
    assert token_f1("Tokayev", ["President Kassym Jomart Tokayev", "Pashinyan"]) == pytest.approx(0.4)
    # Repeated tokens count once per occurrence in both (bag intersection): common = 1.
    assert token_f1("go go", ["go"]) == pytest.approx(2 * 0.5 * 1 / 1.5)
    # Curly quotes stick to the words, so nothing is shared.
    assert token_f1("Squid Game", ["“Squid Game”"]) == 0.0
    assert token_f1("", ["anything"]) == 0.0


def test_except_questions_are_recognised_like_the_scorer() -> None:
    assert is_except_question("She starred in all of these movies except:")
    assert is_except_question("All of these happened, EXCEPT")
    assert not is_except_question("Except for one state, which allows it?")


def test_answer_normalisation_ignores_typography() -> None:
    assert normalize_answer("the Almaty commandant’s office") == "almaty commandants office"
    assert normalize_answer("“Squid Game”") == "squid game"
    assert normalize_answer("high fuel – liquid gas – prices") == "high fuel liquid gas prices"
    assert normalize_answer("ＡＢＣ") == "abc"  # NFKC folds full-width letters


def test_accepted_answer_match() -> None:
    assert answer_matches("January 4, 2022", ["4 January 2022", "January 4, 2022"])
    assert not answer_matches("January 4, 2022", ["4 January 2022"])
    assert answer_matches("in Almaty.", ["Almaty"])  # whole tokens inside a short answer
    assert not answer_matches("Almatyk", ["Almaty"])  # never part of a token
    twelve = "the protests reached the city of Almaty two days after they began in the west"
    assert len(normalize_answer(twelve).split()) == 12  # articles do not count
    assert answer_matches(twelve, ["Almaty"])
    thirteen = twelve + " far"
    assert not answer_matches(thirteen, ["Almaty"])  # too long to count as an answer
    assert answer_matches(thirteen, [thirteen])  # but equality always counts
    assert not answer_matches("", ["Almaty"])
    assert contains_tokens(["a", "b", "c"], ["b", "c"]) and not contains_tokens(["a", "b"], [])


def test_support_needs_the_answer_in_a_quote() -> None:
    quotes = ["Reportedly 353 members were injured.", "12 were killed"]
    assert supported_by(quotes, ["353"])
    assert not supported_by(quotes, ["35"])
    assert not supported_by([], ["353"])


def test_evidence_rank_and_percentiles() -> None:
    assert evidence_rank(["a", "b", "c"], ["c", "b"]) == 2
    assert evidence_rank(["a"], ["z"]) is None
    assert percentile([40.0, 10.0, 30.0, 20.0], 50) == pytest.approx(25.0)
    assert percentile([10.0, 20.0, 30.0, 40.0], 95) == pytest.approx(38.5)  # 30 + 0.85 * 10
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_aggregate_by_hand() -> None:
    outcomes = [
        # right, cited, gold evidence ranked 1
        Outcome(answerable=True, abstained=False, correct=True, exact_match=1.0, f1=1.0,
                answer_match=True, has_evidence=True, evidence_rank=1, citations=2,
                valid_citations=2, supported=True, latency_ms=100),
        # wrong, evidence at rank 4, one bad citation
        Outcome(answerable=True, abstained=False, correct=False, exact_match=0.0, f1=0.5,
                answer_match=False, has_evidence=True, evidence_rank=4, citations=2,
                valid_citations=1, latency_ms=200),
        # abstained on an answerable question; evidence not retrieved
        Outcome(answerable=True, abstained=True, correct=False, exact_match=0.0, f1=0.0,
                answer_match=False, has_evidence=True, evidence_rank=None, latency_ms=300),
        # rightly abstained
        Outcome(answerable=False, abstained=True, correct=True, answer_match=True, latency_ms=400),
        # answered an unanswerable question
        Outcome(answerable=False, abstained=False, correct=False, answer_match=False, citations=1,
                valid_citations=1, latency_ms=500),
        # not scored (an "except:" question): only latency and citations count
        Outcome(answerable=True, abstained=False, correct=None, latency_ms=600),
    ]
    m = aggregate(outcomes)
    assert list(m) == list(METRIC_KEYS)
    assert m["exact_match"] == pytest.approx(1 / 3)
    assert m["f1"] == pytest.approx(0.5)
    assert m["answer_accuracy"] == pytest.approx(2 / 5)
    assert m["accuracy"] is None
    assert (m["hit@1"], m["hit@5"], m["hit@10"]) == pytest.approx((1 / 3, 2 / 3, 2 / 3))
    assert m["mrr"] == pytest.approx((1 + 0.25 + 0) / 3)
    assert m["citation_validity"] == pytest.approx(4 / 5)
    assert m["citation_support"] == pytest.approx(1.0)  # the one correct answerable answer
    assert m["abstention_precision"] == pytest.approx(1 / 2)  # 2 abstained, 1 rightly
    assert m["abstention_recall"] == pytest.approx(1 / 2)  # 2 unanswerable, 1 abstained
    assert m["latency_p50_ms"] == pytest.approx(350.0)
    assert m["latency_p95_ms"] == pytest.approx(575.0)  # 500 + 0.75 * 100


def test_aggregate_without_applicable_questions_is_null() -> None:
    m = aggregate([Outcome(answerable=True, abstained=False, correct=True, choice_correct=True)])
    assert m["accuracy"] == 1.0
    for key in ("exact_match", "f1", "hit@1", "mrr", "citation_validity", "citation_support",
                "abstention_precision", "abstention_recall"):
        assert m[key] is None, key


def test_gate_flags_drops_beyond_tolerance_only() -> None:
    baseline = {"f1": 0.50, "hit@5": 0.80, "mrr": 0.40, "accuracy": 0.7, "latency_p50_ms": 10.0}
    current = {"f1": 0.49, "hit@5": 0.75, "mrr": 0.60, "accuracy": None, "latency_p50_ms": 900.0}
    gate = compare(current, baseline, tolerance=0.01)
    assert [(r.metric, r.old, r.new) for r in gate.regressions] == [("hit@5", 0.80, 0.75)]
    assert gate.gone == [("accuracy", 0.7)]
    assert not gate.passed
    assert compare(current, baseline, tolerance=0.06).passed  # latency is never gated


def test_question_types_are_guessed_from_wording() -> None:
    assert guess_type("How many people were injured?") == "how_many"
    assert guess_type("In what year did it open?") == "when"
    assert guess_type("Which country hosted the summit?") == "where"
    assert guess_type("Who chairs the council?") == "who"
    assert guess_type("Which show was renewed?") == "what"


def test_choice_mentions_match_whole_numbers_only() -> None:
    from bot.extractive.choices import mention

    assert mention("8%", "Consumer prices rose 8.5% in March") == 0.0
    assert mention("8%", "Prices rose 8% in May") == 1.0
    assert mention("$4.96", "Gas costs $4.96 a gallon") == 1.0


def test_support_finds_an_answer_inside_a_possessive_or_a_hyphenated_word() -> None:
    """A quote supports "Australia" when it says "Australia’s", and "101" when it says "101-year-old"
    (the scorer's normalisation keeps those as one token; support must not)."""
    assert supported_by(["A rocket left from Australia’s Northern Territory."], ["Australia"])
    assert supported_by(["A 101-year-old man was convicted."], ["101"])
    assert supported_by(["They banned military-style assault weapons."], ["military-style assault weapons"])
    assert not supported_by(["A 101-year-old man was convicted."], ["10"])
    assert not supported_by(["Austria’s team won."], ["Australia"])
