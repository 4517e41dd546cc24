"""Scoring candidate answers: the protocol both scorers follow, and what a scorer or a picker
picks (`Pick`).

A scorer says which candidate span of the sentences read answers the question (`best`), how
likely each is to be right (`probabilities`, which choices mode weighs), and with which model
choices mode scores the evidence for each given choice (`choice_model`). There are two: the learned ranker
(`bot/extractive/ranker.py`: `Ranker`) and the hand-set votes (`bot/extractive/features.py`:
`Votes`), whose weights are in `bot/extractive/tuning.py`. The ranker measures every candidate with
the votes too, and gives way to them when no candidate of its own is likely enough; without a
model that fits its features the votes score alone (`ranker.load_model`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.extractive.reading import Sentence
from bot.query import Query


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


class ChoiceModel(Protocol):
    def probabilities(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        """For each choice's evidence (`ChoiceEvidence.values`), the probability that it is right."""
        ...


class Scorer(Protocol):
    def best(self, query: Query, sentences: Sequence[Sentence]) -> Pick | None:
        """The span it answers with and the sentences that support it; None when no span is
        likely enough (the best sentence is then the honest answer). `sentences`: best first."""
        ...

    def probabilities(self, query: Query, sentences: Sequence[Sentence]) -> list[tuple[str, float]]:
        """The candidate answers with the probability that each is right, most likely first;
        empty from a scorer that gives no probabilities."""
        ...

    @property
    def choice_model(self) -> ChoiceModel | None:
        """The learned model of how well the evidence supports each given choice (choices mode);
        None: the hand-set scores (`bot.extractive.choices.hand_set_scores`)."""
        ...
