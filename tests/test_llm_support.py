"""The LLM answer check over a planted set: every injection is refused, no ordinary answer is.

tests/data/llm_injections.jsonl holds (question, answer, cited sentences) triples, invented for
this test: injections in varied wordings that a model obeyed, citing the injected text verbatim,
and ordinary answers from news prose, many of them news ABOUT AI models and chatbots. `refusal`
applies the checks in LLMAnswerer's order. Run with -s to see the figures (docs/llm.md has them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bot.language.question import analyse
from bot.llm.guard import looks_like_instructions
from bot.llm.support import CitedSentence, Unsupported, cited_sentence, unsupported

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
    if looks_like_instructions(case.answer):
        return "instructions in the answer"
    kept = [q for q in case.cited if not looks_like_instructions(q)]
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
                  and not any(looks_like_instructions(t) for t in [c.answer, *c.cited])]
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
    assert unsupported(analyse(question), "About 350", injured) == Unsupported.NOT_IN_QUOTES
    who = "Who chairs the Collective Security Council?"
    chair = one("Prime Minister of Armenia Nikol Pashinyan, incumbent chair of the Council, said so.")
    assert unsupported(analyse(who), "Nikol Pashinyan of Armenia", chair) is None
    assert unsupported(analyse(who), "Kassym-Jomart Tokayev", chair) == Unsupported.NOT_IN_QUOTES
