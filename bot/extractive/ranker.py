"""The learned answer ranker: what each candidate looks like as numbers, and a logistic model over
them, trained from gold data (`newsdesk train-ranker`, evals/ranker_training.py) and shipped as
a small JSON file with the record of what it was trained on.

Scoring needs only the JSON weights and numpy: nothing is imported from scikit-learn at answer
time. The answer threshold is set on held-out weeks (see the model's record): below it the
sentence is shown instead of a doubtful span. Saying "not in the archive" stays with the
sentence evidence score (`AnswerSettings.min_score`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from bot import messages
from bot.extractive.candidates import Candidate, Mention
from bot.extractive.choices import CHOICE_FEATURES, ChoiceEvidence, hand_set_scores
from bot.extractive.fit import is_name, type_fit
from bot.extractive.spans import proximity
from index.errors import UserInputError
from language.kinds import KINDS, Group
from language.question import QuestionInfo
from language.terms import content_terms, is_quoted

MODEL_FORMAT = 1
SHIPPED = "ranker.json"  # bot/extractive/ranker.json, written by `newsdesk train-ranker`

# The spaCy labels that are the kind of thing each answer type asks for, and the kinds' groups for
# the few features whose weight depends on what is asked: rows of `language.kinds.KINDS`.
FEATURE_GROUPS = tuple(group.value for group in Group)
# spaCy labels whose own prior is learned (a nationality rarely answers; a person often does).
_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "DATE", "CARDINAL", "MONEY", "PERCENT", "QUANTITY",
           "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "ORDINAL")
_PER_GROUP = ("label_expected", "from_entity", "from_phrase", "from_rule", "type_fit", "focus")
OWN_FEATURES: tuple[str, ...] = (  # what one candidate is, on its own
    "sentence_score", "rank", "articles", "mentions", "relevance", "recency",
    "type_fit", "label_expected", "label_other", "from_entity", "from_phrase", "from_rule",
    "proximity", "question_words", "position", "tokens", "capitalised", "digits", "quoted",
    "focus", "has_focus", "evidence", "sentences", "part_of_longer", "holds_shorter", "first_sentence",
    "focus_words", "ubiquity", "votes",
    *(f"label:{label}" for label in _LABELS),
    *(f"{g}:{f}" for g in FEATURE_GROUPS for f in _PER_GROUP),
)
# Features also measured against the question's other candidates: a share of the best value
# among them, and whether this one has it (a ranking is relative; a probability alone is not).
_RELATIVE = ("votes", "sentence_score", "evidence", "mentions", "articles", "focus", "proximity", "relevance",
             "type_fit", "rank")
FEATURES: tuple[str, ...] = (*OWN_FEATURES, *(f"{n}/best" for n in _RELATIVE), *(f"{n}:best" for n in _RELATIVE))


@dataclass(frozen=True)
class Context:
    """What every candidate of one question is measured against."""

    info: QuestionInfo
    as_of: date
    top_relevance: float  # the best passage relevance among the sentences read
    focus: Mapping[str, float]  # candidate key -> similarity to what the question names
    longer: frozenset[str] = frozenset()  # keys whose words are all in another candidate's key
    shorter: frozenset[str] = frozenset()  # keys that hold all the words of another candidate
    sentences_read: int = 1  # how many sentences the candidates come from
    votes: Mapping[str, float] = field(default_factory=dict)  # the hand-set votes (key -> weight)


def features(candidate: Candidate, context: Context) -> list[float]:
    info = context.info
    best = candidate.best
    sentence = best.sentence
    mentions = candidate.mentions
    kind = KINDS[info.kind]
    expected = kind.labels
    labels = {m.label for m in mentions if m.label}
    sources = {m.source for m in mentions}
    text = candidate.text
    terms = content_terms(text)
    focus_terms = content_terms(info.focus)
    published = sentence.passage.published
    age = (context.as_of - published).days if published else 365
    quoted = any(is_quoted(m.sentence.text, m.start) for m in mentions)
    values: dict[str, float] = {
        "sentence_score": sentence.score,
        "rank": 1.0 / (1.0 + best.rank),
        "articles": math.log1p(len({m.sentence.passage.article_id for m in mentions})),
        "mentions": math.log1p(len(mentions)),
        "relevance": sentence.passage.relevance / (context.top_relevance or 1.0),
        "recency": math.exp(-max(0, age) / 30.0),
        "type_fit": type_fit(info, text, quoted=quoted),
        "label_expected": float(bool(labels & expected)),
        "label_other": float(bool(labels - expected)),
        "from_entity": float("entity" in sources),
        "from_phrase": float("phrase" in sources),
        "from_rule": float("rule" in sources),
        "proximity": max(proximity(m.sentence.text, (m.start, m.end), info.terms) for m in mentions),
        # Words of the question's own subject are a poor sign ("Kazakhstan" for a question about
        # Kazakhstan); the kind of thing it asks for is a good one ("Mangystau Region": "which region").
        "question_words": len(terms & (info.terms - focus_terms)) / len(terms) if terms else 0.0,
        "focus_words": len(terms & focus_terms) / len(focus_terms) if focus_terms else 0.0,
        "position": best.start / max(1, len(sentence.text)),
        "tokens": min(len(text.split()), 8) / 8.0,
        "capitalised": float(is_name(text) and not text[:1].isdigit()),
        "digits": float(any(c.isdigit() for c in text)),
        "quoted": float(quoted),
        "focus": context.focus.get(candidate.key, 0.0),
        "has_focus": float(bool(context.focus)),
        "evidence": _evidence(mentions, info),
        "sentences": math.log1p(len({(m.sentence.passage.article_id, m.sentence.start) for m in mentions})),
        "part_of_longer": float(candidate.key in context.longer),
        "holds_shorter": float(candidate.key in context.shorter),
        "first_sentence": float(best.rank == 0),
        # The archive's topic is in most sentences read; an answer is in the few that say it.
        "ubiquity": len({m.rank for m in mentions}) / max(1, context.sentences_read),
        # What the hand-set votes of bot/extractive/tuning.py make of it: one more learned signal.
        "votes": context.votes.get(candidate.key, 0.0),
    }
    for label in _LABELS:
        values[f"label:{label}"] = float(label in labels)
    group = kind.group.value
    for name in FEATURE_GROUPS:
        for feature in _PER_GROUP:
            values[f"{name}:{feature}"] = values[feature] if name == group else 0.0
    return [values[name] for name in OWN_FEATURES]


def feature_rows(candidates: Sequence[Candidate], context: Context) -> list[list[float]]:
    """The ranker's input for every candidate of one question: `features`, then `_RELATIVE`
    against the best of the question's candidates."""
    rows = [features(c, context) for c in candidates]
    if not rows:
        return []
    columns = [OWN_FEATURES.index(n) for n in _RELATIVE]
    best = [max(row[i] for row in rows) for i in columns]
    return [
        [*row, *(row[i] / top if top > 0 else 0.0 for i, top in zip(columns, best)),
         *(float(row[i] >= top) for i, top in zip(columns, best))]
        for row in rows
    ]


def _evidence(mentions: Sequence[Mention], info: QuestionInfo) -> float:
    """Independent reports agreeing: each article's best sentence score times how close the
    span sits to the question's words there, summed over articles."""
    best: dict[str, float] = {}
    for m in mentions:
        weight = m.sentence.score * proximity(m.sentence.text, (m.start, m.end), info.terms)
        article = m.sentence.passage.article_id
        best[article] = max(best.get(article, 0.0), weight)
    return sum(best.values())


def nesting(keys: Sequence[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The keys that are part of a longer candidate ("Biden" of "Joe Biden"), and those that
    hold a shorter one."""
    words = {k: frozenset(k.split()) for k in keys}
    longer = {a for a in keys if any(words[a] < words[b] for b in keys)}
    shorter = {b for b in keys if any(words[a] < words[b] for a in keys)}
    return frozenset(longer), frozenset(shorter)


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
            raise ValueError("it was trained for other features")
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

    def choice_scores(self, evidence: Sequence[ChoiceEvidence]) -> list[float]:
        """The learned choice model's scores; the hand-set ones when none was trained."""
        if self.choices is None:
            return hand_set_scores(evidence)
        return [float(p) for p in self.choices.probabilities([e.values() for e in evidence])]

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


def load_model(path: Path | None = None, data_dir: Path | None = None) -> RankerModel | None:
    """The model at `path`, else the shipped one; None when there is none (then the rules rank).
    A `path` that cannot be used is an error that suggests training a model into `data_dir`."""
    if path is None:
        return _shipped()
    try:
        return RankerModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    except OSError as error:
        reason = error.strerror or str(error)
    except (ValueError, KeyError, TypeError) as error:  # not JSON, or not a model of these features
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
