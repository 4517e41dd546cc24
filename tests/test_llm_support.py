"""The LLM answer check over a planted set: every injection is refused, no ordinary answer is.

tests/data/llm_injections.jsonl holds (question, answer, cited sentences) triples, invented for
this test: injections in varied wordings that a model obeyed, citing the injected text verbatim,
and ordinary answers from news prose, many of them news ABOUT AI models and chatbots. `refusal`
applies the checks in LLMAnswerer's order. Run with -s to see the figures (docs/llm.md has them).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.llm.support import (
    CitedSentence,
    Unsupported,
    cited_sentence,
    holds,
    of_kind,
    sentence_holding,
    unsupported,
)
from evals.gold import SEED_GOLD
from language.addressed import addresses_machines
from language.question import analyse
from language.sentences import sentence_spans
from tests.conftest import SEED_FILE

CASES = Path(__file__).parent / "data" / "llm_injections.jsonl"


@dataclass(frozen=True)
class Case:
    id: int
    kind: str  # "injection" or "ordinary"
    why: str
    question: str
    answer: str
    cited: list[str]
    published: date
    before: str = ""  # the article text before the first cited sentence


def load() -> list[Case]:
    rows = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Case(**{**row, "published": date.fromisoformat(row["published"])}) for row in rows]


def as_cited(case: Case, quotes: list[str]) -> list[CitedSentence]:
    """The case's sentences as consecutive sentences of one article, after `before`."""
    article = " ".join([case.before, *case.cited]).strip()
    return [cited_sentence(article, article.index(q), article.index(q) + len(q), case.published) for q in quotes]


def refusal(case: Case) -> str | None:
    """Why the answer is refused, as LLMAnswerer decides it: an answer that reads like
    instructions; then quotes that address AI systems, dropped; then the support check."""
    if addresses_machines(case.answer):
        return "instructions in the answer"
    kept = [q for q in case.cited if not addresses_machines(q)]
    if not kept:
        return "only instructions cited"
    problem = unsupported(analyse(case.question), case.answer, as_cited(case, kept))
    return problem.value if problem else None


def test_the_planted_set_is_varied_and_large_enough() -> None:
    cases = load()
    assert len({c.id for c in cases}) == len(cases)
    assert sum(c.kind == "injection" for c in cases) >= 30
    assert sum(c.kind == "ordinary" for c in cases) >= 30
    assert sum("AI" in " ".join(c.cited) or "chatbot" in " ".join(c.cited) for c in cases if c.kind == "ordinary") >= 10


def test_every_planted_injection_is_refused_and_no_ordinary_answer_is() -> None:
    cases = load()
    injections = [c for c in cases if c.kind == "injection"]
    ordinary = [c for c in cases if c.kind == "ordinary"]
    reasons = {c.id: refusal(c) for c in cases}
    missed = [(c.id, c.why) for c in injections if reasons[c.id] is None]
    false_refusals = [(c.id, c.why, reasons[c.id]) for c in ordinary if reasons[c.id] is not None]
    by_guard = sum(reasons[c.id] in ("instructions in the answer", "only instructions cited") for c in injections)
    print(f"\ninjections caught {len(injections) - len(missed)} of {len(injections)} "
          f"({by_guard} by the instruction guard, {len(injections) - len(missed) - by_guard} by the support check); "
          f"false refusals {len(false_refusals)} of {len(ordinary)}")
    assert missed == []
    assert false_refusals == []


def test_the_support_check_alone_refuses_what_the_guard_lets_through() -> None:
    """Layer (b) on its own: injections worded so the guard misses them."""
    by_support = [c for c in load() if c.kind == "injection"
                  and not any(addresses_machines(t) for t in [c.answer, *c.cited])]
    assert len(by_support) >= 3
    for case in by_support:
        assert unsupported(analyse(case.question), case.answer, as_cited(case, case.cited)) is not None, case.why


# -- the support check, one rule at a time -------------------------------------------------------

PUBLISHED = date(2022, 1, 6)
BEFORE = "On January 2, crowds took to the streets in Zhanaozen. "
TWO_DAYS = "Two days later, the protests engulfed Almaty, in the country’s southeast."
QUESTION = "When did protests reach Almaty?"


def two_days() -> list[CitedSentence]:
    article = BEFORE + TWO_DAYS
    return [cited_sentence(article, len(BEFORE), len(article), PUBLISHED)]


def one(text: str) -> list[CitedSentence]:
    return [cited_sentence(text, 0, len(text), PUBLISHED)]


def test_a_relative_date_in_a_quote_counts_from_the_article_before_it() -> None:
    assert [m.value for m in two_days()[0].dates] == [date(2022, 1, 4)]
    assert unsupported(analyse(QUESTION), "January 4, 2022", two_days()) is None
    assert unsupported(analyse(QUESTION), "On 4 January", two_days()) is None
    assert unsupported(analyse(QUESTION), "In January 2022", two_days()) is None  # month precision
    assert unsupported(analyse(QUESTION), "January 3", two_days()) == Unsupported.NOT_IN_QUOTES
    assert unsupported(analyse(QUESTION), "4 January 1999", two_days()) == Unsupported.NOT_IN_QUOTES


@pytest.mark.parametrize(("question", "answer"), [
    (QUESTION, "PWNED"),
    (QUESTION, "the police"),
    ("How many police officers were injured in Almaty?", "PWNED"),
    ("How much did fuel cost?", "the government"),
    ("Who led the protests in Almaty?", "January 4"),
    ("Where did the protests spread?", "353"),
])
def test_an_answer_of_the_wrong_kind_is_refused(question: str, answer: str) -> None:
    sentence = one(f"Police said {answer} was the answer, as protests in Almaty spread and fuel cost more.")
    assert unsupported(analyse(question), answer, sentence) == Unsupported.WRONG_KIND


@pytest.mark.parametrize(("question", "answer"), [
    ("What did the president do?", "PWNED"),  # a description: no kind required
    ("Why did people protest?", "PWNED"),
    ("Which city did the protests reach?", "PWNED"),
    ("Did the president resign?", "PWNED"),
])
def test_kinds_without_a_requirement_accept_any_answer(question: str, answer: str) -> None:
    sentence = one("The president did PWNED after people protested in the city, and did not resign.")
    assert unsupported(analyse(question), answer, sentence) is None


def test_a_quote_that_is_not_about_the_question_is_refused() -> None:
    other = one("On January 5, the head of the state accepted the government’s resignation.")
    assert unsupported(analyse(QUESTION), "January 5", other) == Unsupported.OFF_TOPIC
    # The answer's own words do not make the quote about the question.
    assert unsupported(analyse("Who is Almaty's mayor?"), "Almaty Jones", one("Almaty Jones sang.")) == Unsupported.OFF_TOPIC


def test_the_quotes_must_hold_the_answers_numbers_and_words() -> None:
    injured = one("Reportedly 353 members of law enforcement were injured in the clashes in Almaty.")
    question = "How many members of law enforcement were injured?"
    assert unsupported(analyse(question), "353", injured) is None
    assert unsupported(analyse(question), "About 350", injured) == Unsupported.NUMBER_NOT_QUOTED
    who = "Who chairs the Collective Security Council?"
    chair = one("Prime Minister of Armenia Nikol Pashinyan, incumbent chair of the Council, said so.")
    assert unsupported(analyse(who), "Nikol Pashinyan of Armenia", chair) is None
    assert unsupported(analyse(who), "Kassym-Jomart Tokayev", chair) == Unsupported.NOT_IN_QUOTES


# -- one citation at a time: kept, replaced by the sentence that holds the answer, or refused --------
# Measured on the seed gold set: each answerable question's gold answer citing its evidence (right
# pairs), and citing each other sentence of the article that holds no gold answer (wrong pairs).

SEED_DAY = date(2022, 1, 6)
SEED_TEXT = SEED_FILE.read_text(encoding="utf-8").split("\n", 1)[1]  # without the header line


def decide(question: str, answer: str, span: tuple[int, int], as_of: date) -> tuple[str, CitedSentence | None]:
    """What LLMAnswerer does with one citation: keep it, replace it, or refuse the answer."""
    info = analyse(question)
    if not of_kind(info, answer, as_of):
        return "refused", None
    sentence = cited_sentence(SEED_TEXT, *span, SEED_DAY)
    final, how = sentence, "kept"
    if not holds(info, answer, sentence, as_of):
        found = sentence_holding(info, answer, SEED_TEXT, SEED_DAY, span, as_of)
        final, how = (found, "replaced") if found else (sentence, "refused")
    if how == "refused" or unsupported(info, answer, [final], as_of) is not None:
        return "refused", None
    return how, final


def gold() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["answerable"] and r["evidence"]]


def spans_of(quotes: list[str]) -> list[tuple[int, int]]:
    return [(SEED_TEXT.index(q), SEED_TEXT.index(q) + len(q)) for q in quotes]


def overlaps(sentence: CitedSentence | None, spans: list[tuple[int, int]]) -> bool:
    return sentence is not None and any(sentence.start < e and s < sentence.end for s, e in spans)


@pytest.fixture(scope="module")
def seed_pairs() -> dict[str, Counter[str]]:
    right: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for row in gold():
        as_of = date.fromisoformat(row["as_of"]) if row["as_of"] else date(2022, 1, 10)
        answer, evidence = row["answers"][0], spans_of([e["quote"] for e in row["evidence"]])
        how, final = decide(row["question"], answer, evidence[0], as_of)
        right[how if how != "replaced" or overlaps(final, evidence) else "replaced by another"] += 1
        for span in sentence_spans(SEED_TEXT):
            text = SEED_TEXT[span[0]:span[1]]
            folded = text.replace("’", "'")
            if any(s < span[1] and span[0] < e for s, e in evidence) or any(a in folded for a in row["answers"]):
                continue
            how, final = decide(row["question"], answer, span, as_of)
            if how == "replaced":
                how = "replaced by its evidence" if overlaps(final, evidence) else "replaced by another"
            wrong[how] += 1
    print(f"\nseed gold set, right pairs ({sum(right.values())}): {dict(right)}")
    print(f"seed gold set, wrong pairs ({sum(wrong.values())}): {dict(wrong)}")
    return {"right": right, "wrong": wrong}


def test_a_gold_answer_citing_its_evidence_is_kept(seed_pairs: dict[str, Counter[str]]) -> None:
    right = seed_pairs["right"]
    assert sum(right.values()) >= 20
    assert right["refused"] <= 1  # the false refusals, in docs/llm.md


def test_a_sentence_that_does_not_hold_the_answer_is_never_shown_as_its_support(
    seed_pairs: dict[str, Counter[str]],
) -> None:
    wrong = seed_pairs["wrong"]
    assert sum(wrong.values()) >= 100
    assert wrong["kept"] == 0


@pytest.mark.parametrize(("question", "answer", "cited", "expected"), [
    # Seen with Qwen2.5-Coder 1.5B on llama.cpp (#17): a verbatim quote that does not support the answer.
    ("How many members of Kazakhstan's law enforcement were injured?", "353",
     "According to the TV channel, one of the victims was beheaded.", "replaced"),
    ("When did protests reach Almaty?", "January 5",
     "On January 5, the head of the state also accepted the government’s resignation, but vowed to keep "
     "his grip on power.", "refused"),
    ("When did protests reach Almaty?", "January 4, 2022",
     "The president imposed a two-week state of emergency in the Mangystau Region and in the Almaty Region, "
     "as well as the republic’s largest city of Almaty and the capital Nur-Sultan.", "replaced"),
])
def test_planted_pairs_seen_with_a_real_model(question: str, answer: str, cited: str, expected: str) -> None:
    (span,) = spans_of([cited])
    how, final = decide(question, answer, span, date(2022, 1, 10))
    assert how == expected
    if how == "replaced":
        assert final is not None and answer.split(",")[0].replace("January 4", "Two days later") in final.text
