"""Choices mode: pick the candidate answer the archive supports best, and cite why.

A choice is supported when the passages retrieved for the question mention it, the more so the
higher they rank and the better the sentence that mentions it matches the question. For "which
is NOT..." questions the least supported choice wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answer import Answer
from bot.extractive_terms import content_terms
from bot.question import QuestionInfo
from index.models import Passage

if TYPE_CHECKING:
    from bot.extractive import Sentence

_QUOTES = "“”\"‘’'"
_WORDS = re.compile(r"[\w]+")


def _normal(text: str) -> str:
    return " " + " ".join(_WORDS.findall(text.lower())) + " "


def _same_word(a: str, b: str) -> bool:
    """Stems match, or one word extends the other ("Europe" / "European")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short)


def mention(choice: str, text: str, ignore: frozenset[str] = frozenset()) -> float:
    """1 when the choice appears as a phrase, partial credit when most of its own words do.
    Words the question already uses (`ignore`) do not tell choices apart and are not counted."""
    phrase = _normal(choice.strip(_QUOTES))
    if phrase.strip() and phrase in _normal(text):
        return 1.0
    terms = content_terms(choice) - ignore
    if not terms:
        return 0.0
    words = content_terms(text)
    found = sum(1 for t in terms if t in words or any(_same_word(t, w) for w in words if w[:3] == t[:3]))
    coverage = found / len(terms)
    return 0.7 * coverage if coverage >= 0.5 else 0.0


def support(
    choice: str, passages: Sequence[Passage], sentences: Sequence[Sentence], question_terms: frozenset[str]
) -> float:
    total = 0.0
    for rank, passage in enumerate(passages):
        total += mention(choice, f"{passage.title}\n{passage.text}", question_terms) / (1.0 + 0.25 * rank)
    best_sentence = max(
        (s.score * mention(choice, s.text, question_terms) for s in sentences), default=0.0
    )
    return total + 2.0 * best_sentence


def pick_choice(
    base: Answer,
    info: QuestionInfo,
    choices: Sequence[str],
    passages: Sequence[Passage],
    sentences: Sequence[Sentence],
) -> Answer:
    scores = [support(c, passages, sentences, info.terms) for c in choices]
    if not any(scores):
        return replace(base, notes=[*base.notes, "no passage mentions any of the choices"])
    order = sorted(range(len(choices)), key=lambda i: scores[i], reverse=not info.negated)
    chosen = choices[order[0]]
    cited = next((s for s in sentences if mention(chosen, s.text, info.terms) >= 0.7), None)
    if info.negated or cited is None:
        cited = sentences[0]
    return replace(
        base,
        answer=chosen,
        citations=[cited.citation()],
        sentence=cited.text,
        score=cited.score,
        notes=[*base.notes, "choice support: " + ", ".join(f"{c} {s:.2f}" for c, s in zip(choices, scores))],
    )
