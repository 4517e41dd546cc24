"""Scoring candidate answers: the protocol both scorers follow, the hand-set one, and what a
scorer or a picker picks (`Pick`).

A scorer says which candidate span of the sentences read answers the question (`best`), how
likely each is to be right (`probabilities`, which choices mode weighs), and how well the
evidence supports each given choice (`choice_scores`). There are two: the learned ranker
(`bot/extractive/ranker.py`: `Ranker`) and the hand-set votes below (`Votes`), whose weights are
in `bot/extractive/tuning.py`. The ranker measures every candidate with the votes too, and gives
way to them when no candidate of its own is likely enough; without a model that fits its features
the votes score alone (`ranker.load_model`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.extractive import tuning
from bot.extractive.candidates import key_of
from bot.extractive.choices import ChoiceEvidence, hand_set_scores
from bot.extractive.fit import asks_for_a_thing, is_name, type_fit
from bot.extractive.reading import Sentence
from bot.extractive.spans import candidates, proximity
from bot.query import Query
from index.encoders.embedder import Embedder
from language.gazetteer import person_name
from language.kinds import KINDS, Form
from language.question import QuestionInfo
from language.terms import content_terms, is_quoted


@dataclass(frozen=True)
class Pick:
    """A short answer and the sentences that support it, best first (the first is the one shown);
    `notes` say how it was chosen. No answer and no support: nothing read says it."""

    answer: str | None
    support: tuple[Sentence, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def sentence(cls, sentence: Sentence) -> Pick:
        """The sentence itself as the answer: the honest one when no shorter span is."""
        return cls(sentence.text, (sentence,))


class Scorer(Protocol):
    def best(self, query: Query, sentences: Sequence[Sentence]) -> Pick | None:
        """The span it answers with and the sentences that support it; None when no span is
        likely enough (the best sentence is then the honest answer). `sentences`: best first."""
        ...

    def probabilities(self, query: Query, sentences: Sequence[Sentence]) -> list[tuple[str, float]]:
        """The candidate answers with the probability that each is right, most likely first;
        empty from a scorer that gives no probabilities."""
        ...

    def choice_scores(self, evidence: Sequence[ChoiceEvidence]) -> list[float]:
        """How well the evidence supports each choice (choices mode)."""
        ...


@dataclass(frozen=True)
class Tally:
    """The hand-set votes for each span (by key), its type fit, and its best sentence."""

    votes: dict[str, float]
    fits: dict[str, float]
    where: dict[str, tuple[Sentence, str]]

    def best(self, top: Sequence[Sentence]) -> Pick | None:
        """The span with the most votes, and a sentence of another article that says it too;
        None when no span is of the right kind."""
        if not self.votes:
            return None
        key = max(self.votes, key=lambda k: self.votes[k])
        if self.fits[key] < tuning.MIN_TYPE_FIT:  # no span of the right kind: the sentence is the honest answer
            return None
        sentence, text = self.where[key]
        words = set(key.split())
        others = [s for s in top if s.passage.article_id != sentence.passage.article_id and words <= content_terms(s.text)]
        return Pick(text, (sentence, *others[:1]))


class Votes:
    """The hand-set scorer: the spans of the best sentences vote, each with its sentence's
    evidence score, how close it sits to the question's words, how well it fits the kind asked
    for and, for "which bird?", how much it is the thing the question names."""

    def __init__(self, encoder: Embedder, min_score: float) -> None:
        self.encoder = encoder  # compares spans with what the question names
        self.min_score = min_score  # only sentences that are evidence in their own right vote

    def best(self, query: Query, sentences: Sequence[Sentence]) -> Pick | None:
        top = sentences[: tuning.SENTENCES_READ]
        return self.tally(query.info, top).best(top)

    def probabilities(self, query: Query, sentences: Sequence[Sentence]) -> list[tuple[str, float]]:
        return []  # votes are weights, not probabilities

    def choice_scores(self, evidence: Sequence[ChoiceEvidence]) -> list[float]:
        return hand_set_scores(evidence)

    def tally(self, info: QuestionInfo, top: Sequence[Sentence]) -> Tally:
        """The votes of the spans of `top` (the best sentences, best first)."""
        # A span's evidence: its best sentence in each article, summed over articles, so that
        # independent reports agree but one article repeating its topic does not outvote them.
        # Only sentences that are evidence in their own right vote: a name from a weak sentence
        # is a confident wrong answer where the best sentence names none.
        phrases = asks_for_a_thing(info, phrases=True)
        found = [
            (rank, sentence, span)
            for rank, sentence in enumerate(top)
            if sentence.score >= self.min_score
            for span in candidates(sentence.text, info.kind, info.terms, phrases=phrases)
        ]
        kind_fit = self.focus_fit(info, [span.text for _, _, span in found])
        # Ordinary words are candidates only when they are clearly the kind of thing asked for.
        if kind_fit:
            found = [f for f in found if is_name(f[2].text) or kind_fit.get(f[2].text, 0.0) >= tuning.PHRASE_MIN_FIT]
        per_article: dict[tuple[str, str], float] = {}
        fits: dict[str, float] = {}
        where: dict[str, tuple[Sentence, str]] = {}
        for rank, sentence, span in found:
            text = person_name(span.text) if KINDS[info.kind].answer is Form.PERSON else span.text
            key = key_of(text)
            fits[key] = type_fit(info, text, quoted=is_quoted(sentence.text, span.start))
            # "President of Kazakhstan Kassym-Jomart Tokayev": the title is the question's, the name right by it.
            start = span.end - len(text) if span.text.endswith(text) else span.start
            weight = sentence.score * proximity(sentence.text, (start, span.end), info.terms)
            focus = kind_fit.get(span.text, tuning.FOCUS_FLOOR if kind_fit else 1.0)
            weight *= fits[key] * focus / (1.0 + tuning.RANK_DECAY * rank)
            slot = (key, sentence.passage.article_id)
            per_article[slot] = max(per_article.get(slot, 0.0), weight)
            if key not in where or where[key][0].score < sentence.score:
                where[key] = (sentence, text)
        votes: dict[str, float] = {}
        for (key, _), weight in per_article.items():
            votes[key] = votes.get(key, 0.0) + weight
        return Tally(votes, fits, where)

    def focus_fit(self, info: QuestionInfo, texts: Sequence[str]) -> dict[str, float]:
        """How much each span is the kind of thing the question names ("which bird?": "barn
        owl" is, "nesting season" is not), by meaning; empty when it names none."""
        texts = list(dict.fromkeys(texts))[: tuning.FOCUS_CANDIDATES]
        if not info.focus or not texts or not asks_for_a_thing(info):
            return {}
        vectors = self.encoder.embed([info.focus, *texts])
        return {t: tuning.FOCUS_FLOOR + max(0.0, float(sim)) for t, sim in zip(texts, vectors[1:] @ vectors[0])}
