"""Choices mode: pick the candidate answer the archive supports best, and cite why.

A choice is supported when the passages retrieved for the question mention it, the more so the
higher they rank and the better the sentence that mentions it matches the question. Each choice
is also looked up by name (question + choice, keyword search): the best sentence naming it
counts by how many of the question's other words it shares, and how recent it is. For "which is
NOT..." questions the least supported choice wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.answer import Answer
from bot.extractive import tuning
from bot.extractive.sentences import Sentence
from bot.language.terms import content_terms
from bot.query import Query
from index.models import Passage
from index.retrieval import time_weight

_QUOTES = "“”\"‘’'"
_WORDS = re.compile(r"\d+(?:[.,]\d+)*|\w+")  # "8.5" is one number, not "8" and "5"


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
    terms = {t for t in content_terms(choice) - ignore if not t[:1].isdigit()}  # numbers: whole only
    if not terms:
        return 0.0
    words = content_terms(text)
    found = sum(1 for t in terms if t in words or any(_same_word(t, w) for w in words if w[:3] == t[:3]))
    coverage = found / len(terms)
    return tuning.PARTIAL_MENTION * coverage if coverage >= 0.5 else 0.0


def support(
    choice: str, passages: Sequence[Passage], sentences: Sequence[Sentence], question_terms: frozenset[str]
) -> float:
    total = 0.0
    for rank, passage in enumerate(passages):
        total += mention(choice, f"{passage.title}\n{passage.text}", question_terms) / (
            1.0 + tuning.MENTION_RANK_DECAY * rank)
    best_sentence = max(
        (s.score * mention(choice, s.text, question_terms) for s in sentences), default=0.0
    )
    return total + tuning.BEST_SENTENCE_WEIGHT * best_sentence


def named_support(choice: str, sentences: Sequence[Sentence], query: Query) -> tuple[float, Sentence | None]:
    """The sentence that names `choice` and shares most of the question's other words, weighted
    by recency as retrieval weighs it; (0, None) when no sentence names it."""
    info = query.info
    terms = info.terms - content_terms(choice)
    if not terms:
        return 0.0, None
    best: tuple[float, Sentence | None] = (0.0, None)
    for sentence in sentences:
        named = mention(choice, sentence.text, info.terms)
        if named < tuning.PARTIAL_MENTION:
            continue
        shared = len(terms & content_terms(sentence.text)) / len(terms)
        score = named * shared * time_weight(sentence.passage.published, query.frame)
        if score > best[0]:
            best = (score, sentence)
    return best


def pick_choice(
    base: Answer,
    query: Query,
    passages: Sequence[Passage],
    sentences: Sequence[Sentence],
    named: Mapping[str, Sequence[Sentence]] | None = None,
) -> Answer:
    """`named`: for each choice, sentences of the passages a search for it found."""
    info, choices = query.info, query.choices
    mentioned = [support(c, passages, sentences, info.terms) for c in choices]
    by_name = [named_support(c, (named or {}).get(c, ()), query) for c in choices]
    top_mentioned = max(mentioned) or 1.0
    top_named = max(score for score, _ in by_name) or 1.0
    scores = [m / top_mentioned + tuning.NAMED_WEIGHT * n / top_named for m, (n, _) in zip(mentioned, by_name)]
    if not any(scores):
        return replace(base, notes=[*base.notes, "no passage mentions any of the choices"])
    order = sorted(range(len(choices)), key=lambda i: scores[i], reverse=not info.negated)
    chosen = choices[order[0]]
    cited = next((s for s in sentences if mention(chosen, s.text, info.terms) >= tuning.PARTIAL_MENTION), None)
    cited = by_name[order[0]][1] or cited
    if info.negated or cited is None:
        cited = sentences[0]
    return replace(
        base,
        answer=chosen,
        citations=[cited.citation()],
        sentence=cited.text,
        score=cited.score,
        notes=[*base.notes, "choice support (mentions + by name): " + ", ".join(
            f"{c} {m / top_mentioned:.2f}+{tuning.NAMED_WEIGHT * n / top_named:.2f}" for c, m, (n, _) in zip(choices, mentioned, by_name)
        )],
    )
