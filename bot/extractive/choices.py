"""Choices mode: pick the candidate answer the archive supports best, and cite why.

A choice is supported when the passages retrieved for the question mention it, the more so the
higher they rank and the better the sentence that mentions it matches the question. Each choice
is also looked up by name (question + choice, keyword search): the best sentence naming it
counts by how many of the question's other words it shares, and how recent it is. For "which is
NOT..." questions the least supported choice wins. The choice picker (`Choices`, the picking step's
for a question with choices: bot/extractive/pickers.py) measures the evidence here and scores it
with the scorer's learned choice model, or by hand without one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.extractive import tuning
from bot.extractive.reading import Reading, Sentence
from bot.extractive.scoring import ChoiceModel, Pick, Scorer
from bot.query import Query
from index.models import Passage
from index.retrieval import time_weight
from language.terms import content_terms, same_word

_QUOTES = "“”\"‘’'"
_WORDS = re.compile(r"\d+(?:[.,]\d+)*|\w+")  # "8.5" is one number, not "8" and "5"


def _normal(text: str) -> str:
    return " " + " ".join(_WORDS.findall(text.lower())) + " "


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
    found = sum(1 for t in terms if t in words or any(same_word(t, w) for w in words if w[:3] == t[:3]))
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


@dataclass(frozen=True)
class ChoiceEvidence:
    """What the archive says for one choice, each part scaled to 0..1 across the choices."""

    choice: str
    mentioned: float  # the passages read mention it (rank-weighted), and how well their best sentence does
    named: float  # the best sentence of a search by its name shares the question's words
    ranked: float  # the answer ranker's probability for a candidate span that says it (0: none)
    ranked_first: float  # 1 when that span is the ranker's best candidate of all
    in_best: float  # the best sentence read mentions it
    cited: Sentence | None  # where it is said, if anywhere

    def values(self) -> list[float]:
        return [self.mentioned, self.named, self.ranked, self.ranked_first, self.in_best]


CHOICE_FEATURES = ("mentioned", "named", "ranked", "ranked_first", "in_best")


def choice_evidence(
    query: Query,
    passages: Sequence[Passage],
    sentences: Sequence[Sentence],
    named: Mapping[str, Sequence[Sentence]],
    ranked: Sequence[tuple[str, float]] = (),
) -> list[ChoiceEvidence]:
    """`named`: for each choice, sentences of the passages a search for it found; `ranked`: the
    answer ranker's candidates (text, probability), best first."""
    info = query.info
    mentioned = [support(c, passages, sentences, info.terms) for c in query.choices]
    by_name = [named_support(c, named.get(c, ()), query) for c in query.choices]
    top_mentioned = max(mentioned, default=0.0) or 1.0
    top_named = max((n for n, _ in by_name), default=0.0) or 1.0
    out = []
    for choice, m, (n, by_name_sentence) in zip(query.choices, mentioned, by_name):
        hits = [(i, p) for i, (text, p) in enumerate(ranked) if _says(choice, text, info.terms)]
        cited = by_name_sentence or next(
            (s for s in sentences if mention(choice, s.text, info.terms) >= tuning.PARTIAL_MENTION), None)
        out.append(ChoiceEvidence(
            choice, m / top_mentioned, n / top_named,
            max((p for _, p in hits), default=0.0), float(any(i == 0 for i, _ in hits)),
            float(bool(sentences) and mention(choice, sentences[0].text, info.terms) >= tuning.PARTIAL_MENTION),
            cited,
        ))
    return out


def _says(choice: str, candidate: str, question_terms: frozenset[str]) -> bool:
    return mention(choice, candidate, question_terms) >= tuning.PARTIAL_MENTION or \
        mention(candidate, choice, question_terms) >= tuning.PARTIAL_MENTION


def hand_set_scores(evidence: Sequence[ChoiceEvidence]) -> list[float]:
    """Without a learned choice model: mentions plus by-name support, as set by hand."""
    return [e.mentioned + tuning.NAMED_WEIGHT * e.named for e in evidence]


def choice_scores(evidence: Sequence[ChoiceEvidence], model: ChoiceModel | None) -> list[float]:
    """How well the evidence supports each choice: the learned choice model's probabilities, or
    the hand-set scores without one."""
    if model is None:
        return hand_set_scores(evidence)
    return [float(p) for p in model.probabilities([e.values() for e in evidence])]


class Choices:
    """Choices mode: the given choice the evidence supports best (least, for "which is NOT..."),
    whatever kind of answer the question asks for, citing where it is said."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer

    def evidence(self, query: Query, reading: Reading) -> list[ChoiceEvidence]:
        """What the archive says for each of the query's choices (see `choice_evidence`)."""
        ranked = self.scorer.probabilities(query, reading.sentences)
        return choice_evidence(query, reading.passages, reading.sentences, reading.named, ranked)

    def pick(self, query: Query, reading: Reading) -> Pick:
        evidence = self.evidence(query, reading)
        scores = choice_scores(evidence, self.scorer.choice_model)
        if not any(e.mentioned or e.named or e.ranked for e in evidence):
            return Pick(None, notes=("no passage mentions any of the choices",))
        negated = query.info.negated
        chosen = evidence[sorted(range(len(evidence)), key=lambda i: scores[i], reverse=not negated)[0]]
        cited = chosen.cited if chosen.cited is not None and not negated else reading.sentences[0]
        return Pick(chosen.choice, (cited,), ("choice support (mentions, by name, ranker): " + ", ".join(
            f"{e.choice} {e.mentioned:.2f}/{e.named:.2f}/{e.ranked:.2f}" for e in evidence),))
