"""Ask every question as of its date, check the citations, score the answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from bot.answer import Answer, Answerer
from bot.query import Query
from bot.verify import is_verbatim, verified
from evals.dataset import EvalQuestion, Mode
from evals.metrics import (
    Outcome,
    answer_matches,
    evidence_rank,
    exact_match,
    supported_by,
    token_f1,
)
from evals.scoring_form import scoring_form
from index.archive import ArticleLookup
from index.errors import NewsdeskError

MakeQuery = Callable[[str, date, Sequence[str]], Query]  # `bot.runtime.Runtime.query`


class QuestionProgress(Protocol):
    def start(self, total: int, description: str) -> None: ...

    def advance(self, done: int) -> None: ...


@dataclass(frozen=True)
class QuestionResult:
    question: EvalQuestion
    answer: Answer  # as shown to a user: after `verified()`
    citation_valid: tuple[bool, ...]  # one flag per citation of the raw answer
    raw_citations: tuple[dict[str, Any], ...]
    predicted_index: int | None
    outcome: Outcome
    error: str | None = None
    # Citations the answerer itself dropped as unverifiable before returning (the LLM mode checks
    # its model's quotes); reported, not part of validity, which judges what the answerer returns.
    dropped_by_answerer: int = 0

    def to_json(self, mode: Mode) -> dict[str, Any]:
        q, o = self.question, self.outcome
        record: dict[str, Any] = {
            "id": q.id,
            "question": q.question,
            "type": q.type,
            "source": q.source,
            "as_of": q.as_of.isoformat() if q.as_of else None,
            "asked_as_of": self.answer.as_of.isoformat() if self.answer.as_of else None,
            "gold": q.gold_json(),
            "answer": self.answer.answer,
            "abstained": self.answer.abstained,
            "sentence": self.answer.sentence,
            "answer_mode": self.answer.mode,
            "correct": o.correct,
            "exact_match": o.exact_match,
            "f1": None if o.f1 is None else round(o.f1, 4),
            "supported": o.supported,
            "citations": [dict(c, valid=v) for c, v in zip(self.raw_citations, self.citation_valid)],
            "retrieved": self.answer.retrieved,
            "evidence_rank": o.evidence_rank,
            "latency_ms": round(o.latency_ms, 1),
            "dropped_by_answerer": self.dropped_by_answerer,
            "notes": self.answer.notes,
            "error": self.error,
        }
        if self.answer.llm is not None:
            record["llm"] = self.answer.llm.to_json()
        if mode is Mode.choices:
            record["choices"] = list(q.choices)
            record["predicted_index"] = self.predicted_index
        return record


def questions_for(questions: Sequence[EvalQuestion], mode: Mode) -> list[EvalQuestion]:
    """Choices mode asks only questions that have choices."""
    return [q for q in questions if q.choices] if mode is Mode.choices else list(questions)


def run_questions(
    questions: Sequence[EvalQuestion],
    answerer: Answerer,
    articles: ArticleLookup,
    mode: Mode,
    make_query: MakeQuery,
    progress: QuestionProgress | None = None,
    today: date | None = None,
) -> list[QuestionResult]:
    """Ask each question as of its own date (today, resolved once here, when it has none) with
    the raw `answerer`: citations are checked here, before and after the gate."""
    today = today or date.today()
    results: list[QuestionResult] = []
    if progress:
        progress.start(len(questions), "Asking")
    for question in questions:
        results.append(ask_one(question, answerer, articles, mode, make_query, question.as_of or today))
        if progress:
            progress.advance(1)
    return results


def ask_one(question: EvalQuestion, answerer: Answerer, articles: ArticleLookup, mode: Mode,
            make_query: MakeQuery, as_of: date) -> QuestionResult:
    choices = question.choices if mode is Mode.choices else ()
    error = None
    started = time.perf_counter()
    try:
        raw = answerer.ask(make_query(question.question, as_of, choices))
    except NewsdeskError as exc:  # e.g. a question over the length limit: scored as an abstention
        raw, error = Answer(question.question, None, [], as_of=as_of), str(exc)
    latency_ms = (time.perf_counter() - started) * 1000
    # Validity is measured on the raw answer: `verified()` would hide exactly what we look for.
    stored = articles.get_articles([c.article_id for c in raw.citations]) if raw.citations else {}
    valid = tuple(is_verbatim(c, stored.get(c.article_id)) for c in raw.citations)
    shown = verified(raw, articles)
    predicted_index = _choice_index(shown.answer, choices)
    outcome = score(question, shown, mode, predicted_index, latency_ms, len(valid), sum(valid))
    return QuestionResult(question, shown, valid, tuple(c.to_json() for c in raw.citations),
                          predicted_index, outcome, error, dropped_by_answerer=raw.dropped_citations)


def _choice_index(answer: str | None, choices: Sequence[str]) -> int | None:
    """The answerer's contract: the answer is exactly one of the choice strings."""
    return list(choices).index(answer) if answer is not None and answer in choices else None


def score(
    question: EvalQuestion,
    answer: Answer,
    mode: Mode,
    predicted_index: int | None,
    latency_ms: float,
    citations: int,
    valid_citations: int,
) -> Outcome:
    prediction = scoring_form(answer.answer or "", question.question)
    em = f1 = None
    answer_match = choice_correct = None
    if mode is Mode.choices:
        choice_correct = (
            predicted_index is not None and predicted_index == question.answer_index
            if question.answerable else answer.abstained
        )
        correct: bool | None = choice_correct
    elif not question.generation_scored:
        correct = None
    else:
        if question.answerable:
            em = exact_match(prediction, question.answers)
            f1 = token_f1(prediction, question.answers)
        answer_match = (
            not answer.abstained and answer_matches(prediction, question.answers)
            if question.answerable else answer.abstained
        )
        correct = answer_match
    supported = (
        supported_by((c.quote for c in answer.citations), question.answers)
        if correct and question.answerable else None
    )
    return Outcome(
        answerable=question.answerable,
        abstained=answer.abstained,
        correct=correct,
        exact_match=em,
        f1=f1,
        answer_match=answer_match,
        choice_correct=choice_correct,
        has_evidence=bool(question.evidence_ids),
        evidence_rank=evidence_rank(answer.retrieved, question.evidence_ids) if question.evidence_ids else None,
        citations=citations,
        valid_citations=valid_citations,
        supported=supported,
        latency_ms=latency_ms,
    )
