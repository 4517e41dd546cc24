"""Choices mode: pick the candidate answer the archive supports best, and cite why."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answer import Answer
from bot.extractive_terms import content_terms
from bot.question import QuestionInfo

if TYPE_CHECKING:
    from bot.extractive import Sentence

_QUOTES = "“”\"‘’'"


def _normal(text: str) -> str:
    return " " + re.sub(r"[^\w]+", " ", text.lower()).strip() + " "


def mention(choice: str, text: str) -> float:
    """1 when the choice appears as a phrase, partial credit when most of its words do."""
    phrase = _normal(choice.strip(_QUOTES))
    if phrase.strip() and phrase in _normal(text):
        return 1.0
    terms = content_terms(choice)
    if not terms:
        return 0.0
    coverage = len(terms & content_terms(text)) / len(terms)
    return 0.6 * coverage if coverage >= 0.5 else 0.0


def support(choice: str, sentences: Sequence[Sentence], question_terms: frozenset[str]) -> float:
    """Evidence for a choice: its mentions in the best sentences and passages, weighted by rank."""
    passages = list({s.passage.chunk_id: s.passage for s in sentences}.values())
    total = 0.0
    for rank, passage in enumerate(passages[:10]):
        total += 0.5 * mention(choice, passage.text) / (1.0 + 0.3 * rank)
    for rank, sentence in enumerate(sentences[:12]):
        total += sentence.score * mention(choice, sentence.text) / (1.0 + 0.2 * rank)
    # A choice that merely repeats the question's words is weak evidence of itself.
    own = content_terms(choice)
    if own and own <= question_terms:
        total *= 0.3
    return total


def pick_choice(
    base: Answer, info: QuestionInfo, choices: Sequence[str], sentences: Sequence[Sentence], min_score: float
) -> Answer:
    scores = [support(c, sentences, info.terms) for c in choices]
    if not any(scores):
        return replace(base, notes=[*base.notes, "no passage mentions any of the choices"])
    index = min(range(len(choices)), key=lambda i: scores[i]) if info.negated else max(
        range(len(choices)), key=lambda i: scores[i])
    chosen = choices[index]
    cited = next((s for s in sentences if mention(chosen, s.text) >= 0.6), None)
    if info.negated or cited is None:
        cited = sentences[0]
    return replace(
        base,
        answer=chosen,
        citations=[cited.citation()],
        sentence=cited.text,
        score=cited.score,
        notes=[*base.notes, "choice scores: " + ", ".join(f"{c} {s:.2f}" for c, s in zip(choices, scores))],
    )
