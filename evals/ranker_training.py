"""The kits' questions as examples for the learned answer ranker (`newsdesk train-ranker KIT...`);
the training itself is beside the ranker, in bot/extractive/ranker_fit.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.extractive.ranker_fit import Example
from evals.dataset import EvalQuestion


def week_of(question: EvalQuestion) -> str:
    """Kit question ids are `<week>_<n>`; a gold set's questions make one group."""
    return question.id.split("_", 1)[0] if "_" in question.id else "all"


def examples(questions: Sequence[EvalQuestion], today: date) -> list[Example]:
    """Each question as of its date (else `today`); its gold answers teach the answer model only
    when it can be scored as free text ("... except:" questions cannot)."""
    return [
        Example(q.id, week_of(q), q.question, q.as_of or today,
                q.answers if q.generation_scored else (), q.choices, q.answer_index)
        for q in questions
    ]
