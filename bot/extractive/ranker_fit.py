"""Training the learned answer ranker (`newsdesk train-ranker KIT...`): distant supervision from
gold answers, a logistic model, whole weeks held out to measure it, a JSON file with the record.

For every example (a kit's question as of its date, against the kit's own index; evals gathers
them: `evals.ranker_training.examples`), the extractive answerer reads as it would to answer,
and the ranker measures the candidate spans as it would to rank them (`Measuring.measure`): each
becomes a row of `bot.extractive.features.feature_rows`, labelled positive when it says the gold
answer (typography and articles aside). Scikit-learn's LogisticRegression (lbfgs: deterministic) fits
them; five folds by week measure it on questions of weeks it did not see, and pick the
probability below which the best span is not shown. Train only on data you may tune on: never
on a confirm set.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bot.extractive.answerer import ExtractiveAnswerer
from bot.extractive.choices import CHOICE_FEATURES
from bot.extractive.features import FEATURES, feature_rows
from bot.extractive.ranker import Logistic, RankerModel
from bot.query import Query
from language.kinds import RANKED_KINDS
from language.terms import normalize_answer

FOLDS = 5
C = 0.1  # inverse regularisation, features standardised; 0.03-0.3 within 0.3 points on held-out dev weeks
# The answer threshold keeps this share of the held-out exact matches the ranker would give when
# always answering: below it the sentence is shown instead of a doubtful span.
KEEP_CORRECT = 0.95


MakeQuery = Callable[[str, date, Sequence[str]], Query]  # `bot.runtime.Runtime.query`


@dataclass(frozen=True)
class Example:
    """A question to learn from: the answer model learns which candidate span says one of
    `answers` (none: not used for it), the choice model which of `choices` is `right_choice`."""

    id: str
    week: str  # the questions of one week are held out together
    question: str
    as_of: date
    answers: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    right_choice: int | None = None


@dataclass(frozen=True)
class ChoiceRows:
    """The choices of one question: evidence rows, which one is right, and whether the question
    asks for the one the archive does not support."""

    question_id: str
    week: str
    rows: list[list[float]]
    right: int
    negated: bool


@dataclass(frozen=True)
class QuestionRows:
    """The candidates of one question: feature rows, labels, and the texts (for reports)."""

    question_id: str
    week: str
    kind: str
    rows: list[list[float]]
    labels: list[bool]
    texts: list[str]

    @property
    def answerable(self) -> bool:
        return any(self.labels)


def collect(answerer: ExtractiveAnswerer, make_query: MakeQuery, examples: Sequence[Example],
            progress: Callable[[], None] | None = None) -> list[QuestionRows]:
    """Answer-model rows: the candidates of each question the ranker answers."""
    out: list[QuestionRows] = []
    for example in examples:
        query = make_query(example.question, example.as_of, ())
        if query.info.kind in RANKED_KINDS and example.answers:
            found, context = answerer.pickers.measuring.measure(query, answerer.read(query).sentences)
            gold = {normalize_answer(a) for a in example.answers}
            out.append(QuestionRows(
                example.id, example.week, query.info.kind.value,
                feature_rows(found, context), [normalize_answer(c.text) in gold for c in found],
                [c.text for c in found],
            ))
        if progress:
            progress()
    return out


def collect_choices(answerer: ExtractiveAnswerer, model: RankerModel, make_query: MakeQuery,
                    examples: Sequence[Example], progress: Callable[[], None] | None = None) -> list[ChoiceRows]:
    """Choice-model rows: the evidence for each choice, read with the answer model `model`."""
    choices = answerer.with_ranker(model).pickers.choices
    out: list[ChoiceRows] = []
    for example in examples:
        if example.choices and example.right_choice is not None:
            query = make_query(example.question, example.as_of, example.choices)
            evidence = choices.evidence(query, answerer.read(query))
            out.append(ChoiceRows(example.id, example.week, [e.values() for e in evidence],
                                  example.right_choice, query.info.negated))
        if progress:
            progress()
    return out


@dataclass(frozen=True)
class Fitted:
    model: RankerModel
    metrics: dict[str, Any]


def fit(groups: Sequence[QuestionRows], record: dict[str, Any]) -> Fitted:
    """The answer model, fitted on every question after being measured on held-out weeks;
    `record` says what it was trained on. (`with_choices` adds the choice model.)"""
    with_rows = [g for g in groups if g.rows]
    held_out = _cross_validate(with_rows)
    threshold = _threshold(held_out)
    x, y = _stack(with_rows)
    metrics = {
        "questions": len(groups), "with_candidates": len(with_rows),
        "with_a_right_candidate": sum(g.answerable for g in with_rows),
        "candidates": int(len(y)), "positives": int(y.sum()),
        "held_out_top1": round(_top1(held_out), 4),
        "held_out_top1_of_reachable": round(_top1(held_out) * len(held_out) / max(1, sum(c for _, c, _ in held_out)), 4),
        "held_out_answered_at_threshold": round(sum(p >= threshold for p, _, _ in held_out) / max(1, len(held_out)), 4),
        "held_out_precision_at_threshold": round(_precision(held_out, threshold), 4),
        "answer_threshold": round(threshold, 4),
        "folds": FOLDS,
    }
    model = RankerModel(logistic(FEATURES, x, y), threshold, None, {**record, "metrics": metrics})
    return Fitted(model, metrics)


def with_choices(fitted: Fitted, rows: Sequence[ChoiceRows]) -> Fitted:
    """The answer model joined by a choice model fitted on `rows` (measured on held-out weeks);
    questions asking for the unsupported choice ("which is NOT...") are left out of fitting."""
    plain = [r for r in rows if not r.negated and r.rows]
    weeks = sorted({r.week for r in plain})
    folds = [set(weeks[i::FOLDS]) for i in range(min(FOLDS, len(weeks)))]
    right = 0
    for held in folds:
        train = [r for r in plain if r.week not in held]
        part = logistic(CHOICE_FEATURES, *_choice_stack(train))
        right += sum(int(part.probabilities(r.rows).argmax()) == r.right for r in plain if r.week in held)
    metrics = {**fitted.metrics, "choice_questions": len(plain),
               "held_out_choice_accuracy": round(right / max(1, len(plain)), 4)}
    model = replace(fitted.model, choices=logistic(CHOICE_FEATURES, *_choice_stack(plain)),
                    record={**fitted.model.record, "metrics": metrics})
    return Fitted(model, metrics)


def logistic(names: tuple[str, ...], x: np.ndarray, y: np.ndarray) -> Logistic:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    classifier = LogisticRegression(C=C, max_iter=5000).fit((x - mean) / scale, y)
    return Logistic(names, mean, scale, classifier.coef_[0].astype(np.float64), float(classifier.intercept_[0]))


def _choice_stack(rows: Sequence[ChoiceRows]) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray([v for r in rows for v in r.rows], dtype=np.float64)
    y = np.asarray([i == r.right for r in rows for i in range(len(r.rows))], dtype=np.int64)
    return x, y


def training_record(kits: Sequence[str], groups: Sequence[QuestionRows]) -> dict[str, Any]:
    import sklearn

    return {
        "trained_on": list(kits),
        "weeks": sorted({g.week for g in groups}),
        "commit": _commit(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "features": list(FEATURES),
        "learner": f"scikit-learn {sklearn.__version__} LogisticRegression(C={C}, lbfgs), standardised features",
        "label": "a candidate is positive when it equals a gold answer after normalisation "
                 "(case, punctuation, articles)",
    }


# -- held-out measurement -------------------------------------------------------------------


def _stack(groups: Sequence[QuestionRows]) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray([row for g in groups for row in g.rows], dtype=np.float64)
    y = np.asarray([label for g in groups for label in g.labels], dtype=np.int64)
    return x, y


def _cross_validate(groups: Sequence[QuestionRows]) -> list[tuple[float, bool, bool]]:
    """(top probability, a right candidate exists, the top one is right) per held-out question."""
    weeks = sorted({g.week for g in groups})
    folds = [set(weeks[i::FOLDS]) for i in range(min(FOLDS, len(weeks)))]
    out: list[tuple[float, bool, bool]] = []
    for held in folds:
        train = [g for g in groups if g.week not in held]
        test = [g for g in groups if g.week in held]
        x, y = _stack(train)
        if not test or len(set(y.tolist())) < 2:
            continue
        part = logistic(FEATURES, x, y)
        for g in test:
            p = part.probabilities(g.rows)
            best = int(p.argmax())
            out.append((float(p[best]), g.answerable, g.labels[best]))
    return out


def _top1(held_out: Sequence[tuple[float, bool, bool]]) -> float:
    return sum(right for _, _, right in held_out) / max(1, len(held_out))


def _precision(held_out: Sequence[tuple[float, bool, bool]], threshold: float) -> float:
    shown = [right for p, _, right in held_out if p >= threshold]
    return sum(shown) / max(1, len(shown))


def _threshold(held_out: Sequence[tuple[float, bool, bool]]) -> float:
    """The highest probability that still keeps KEEP_CORRECT of the held-out right answers."""
    right = sorted((p for p, _, ok in held_out if ok), reverse=True)
    if not right:
        return 0.0
    return right[max(0, int(np.ceil(KEEP_CORRECT * len(right))) - 1)]


def _commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent, timeout=10)
        return done.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
