"""The learned answer ranker: a logistic model over each candidate's features
(bot/extractive/features.py), trained from gold data (`newsdesk train-ranker`,
bot/extractive/ranker_fit.py) and shipped as a small JSON file with the record of what it was
trained on, and the scorer that uses it (`Ranker`, one of the two behind
`bot.extractive.scoring.Scorer`).

Scoring needs only the JSON weights and numpy: nothing is imported from scikit-learn at answer
time. The answer threshold is set on held-out weeks (see the model's record): below it the
sentence is shown instead of a doubtful span. Saying "not in the archive" stays with the
sentence evidence score (`AnswerSettings.min_score`). A model trained for other features than
these (a feature added or changed, not yet retrained) is not used: the hand-set votes score, and
a warning says to retrain.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from bot import messages
from bot.extractive.candidates import Candidate
from bot.extractive.choices import CHOICE_FEATURES
from bot.extractive.features import FEATURES, Measuring, feature_rows
from bot.extractive.reading import Sentence
from bot.extractive.scoring import ChoiceModel, Pick
from bot.query import Query
from index.errors import UserInputError

log = logging.getLogger(__name__)

MODEL_FORMAT = 1
SHIPPED = "ranker.json"  # bot/extractive/ranker.json, written by `newsdesk train-ranker`


class OtherFeatures(ValueError):
    """A model trained for other features than the ranker's."""


@dataclass(frozen=True)
class Logistic:
    """A logistic model over standardised features."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def probabilities(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        x = (np.asarray(rows, dtype=np.float64) - self.mean) / self.scale
        p: np.ndarray = 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))
        return p

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 8) for v in self.mean],
            "scale": [round(float(v), 8) for v in self.scale],
            "weights": [round(float(v), 8) for v in self.weights],
            "bias": round(self.bias, 8),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], expected: tuple[str, ...]) -> Logistic:
        if tuple(data["features"]) != expected:
            raise OtherFeatures("it was trained for other features")
        return cls(tuple(data["features"]), np.asarray(data["mean"], dtype=np.float64),
                   np.asarray(data["scale"], dtype=np.float64), np.asarray(data["weights"], dtype=np.float64),
                   float(data["bias"]))


@dataclass(frozen=True)
class RankerModel:
    """The answer model (which candidate span answers), the choice model (which given choice the
    evidence supports), and the record of their training."""

    answers: Logistic
    answer_threshold: float  # below this probability the best span is not shown as the answer
    choices: Logistic | None
    record: Mapping[str, Any]

    def probabilities(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        return self.answers.probabilities(rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "answers": self.answers.to_json(),
            "answer_threshold": round(self.answer_threshold, 4),
            "choices": self.choices.to_json() if self.choices else None,
            "record": dict(self.record),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RankerModel:
        if data.get("format") != MODEL_FORMAT or "answers" not in data:
            raise ValueError("it has another format")
        choices = data.get("choices")
        return cls(
            Logistic.from_json(data["answers"], FEATURES), float(data["answer_threshold"]),
            Logistic.from_json(choices, CHOICE_FEATURES) if choices else None, data.get("record", {}),
        )


class Ranker:
    """The learned scorer (`bot.extractive.scoring.Scorer`): the candidate the model scores most
    likely, when it is likely enough; else the hand-set votes' pick."""

    def __init__(self, model: RankerModel, measuring: Measuring) -> None:
        self.model = model
        self.measuring = measuring
        self.choice_model: ChoiceModel | None = model.choices  # None: the hand-set choice scores

    def ranked(self, query: Query, sentences: Sequence[Sentence]) -> list[tuple[Candidate, float]]:
        """The candidate spans with the model's probabilities, most likely first."""
        found, context = self.measuring.measure(query, sentences)
        rows = feature_rows(found, context)
        probabilities = self.model.probabilities(rows)
        return sorted(zip(found, (float(p) for p in probabilities)), key=lambda pair: -pair[1])

    def best(self, query: Query, sentences: Sequence[Sentence]) -> Pick | None:
        ranked = self.ranked(query, sentences)
        if not ranked or ranked[0][1] < self.model.answer_threshold:
            return self.measuring.votes.best(query, sentences)
        chosen = ranked[0][0]
        sentence = chosen.best.sentence
        others = [m.sentence for m in chosen.mentions if m.sentence.passage.article_id != sentence.passage.article_id]
        return Pick(chosen.text, (sentence, *others[:1]))

    def probabilities(self, query: Query, sentences: Sequence[Sentence]) -> list[tuple[str, float]]:
        return [(c.text, p) for c, p in self.ranked(query, sentences)]


def load_model(path: Path | None = None, data_dir: Path | None = None) -> RankerModel | None:
    """The model at `path`, else the shipped one; None when there is none, or when it was trained
    for other features than these (then the hand-set votes score, and a warning says to retrain).
    A `path` that cannot be used otherwise is an error that suggests training a model into `data_dir`."""
    try:
        return _shipped() if path is None else _read(path, data_dir)
    except OtherFeatures:
        where = path or files("bot.extractive").joinpath(SHIPPED)
        log.warning(messages.RANKER_MODEL_OTHER_FEATURES.format(path=where))
        return None


def _read(path: Path, data_dir: Path | None) -> RankerModel:
    try:
        return RankerModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    except OtherFeatures:
        raise
    except OSError as error:
        reason = error.strerror or str(error)
    except (ValueError, KeyError, TypeError) as error:  # not JSON, or not a model
        reason = str(error) if isinstance(error, ValueError) else f"it lacks the field {error}"
    out = new_model_path(data_dir or Path.cwd())  # never `path`: it may be any file at all
    raise UserInputError(messages.RANKER_MODEL_UNUSABLE.format(path=path, reason=reason, out=out))


def is_model_file(path: Path) -> bool:
    """Whether `path` holds a ranker model, of any format: the only file a new model may replace."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "format" in data and "answers" in data


def new_model_path(folder: Path) -> Path:
    """Where a new model may go in `folder`: the first of ranker.json, ranker-2.json, ... that is
    free or holds a ranker model."""
    candidate, n = folder / "ranker.json", 1
    while candidate.exists() and not is_model_file(candidate):
        n += 1
        candidate = folder / f"ranker-{n}.json"
    return candidate


@cache
def _shipped() -> RankerModel | None:
    resource = files("bot.extractive").joinpath(SHIPPED)
    if not resource.is_file():
        return None
    return RankerModel.from_json(json.loads(resource.read_text(encoding="utf-8")))
