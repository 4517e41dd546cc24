"""Scoring: pure functions, each checked against hand-computed cases in the tests.

Two normalisations on purpose:
- `normalize_rtqa` reproduces RealTimeQA's scorer exactly (quirks included), so exact match
  and F1 compare directly with the published baselines;
- `normalize_answer` (language/terms.py, where the ranker's training labels use it too) is the
  SQuAD-style one used for accepted-answer match and citation support, where typography must
  not matter.
"""

from __future__ import annotations

import math
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from language.terms import normalize_answer

HIT_DEPTHS = (1, 5, 10)
MRR_DEPTH = 10
# A prediction longer than this cannot "contain" an accepted answer: a whole paragraph that
# mentions the right name somewhere is not an answer.
MAX_CONTAINING_TOKENS = 12

METRIC_KEYS = (
    "exact_match", "f1", "answer_accuracy", "accuracy",
    "hit@1", "hit@5", "hit@10", "mrr",
    "citation_validity", "citation_support",
    "abstention_precision", "abstention_recall",
    "latency_p50_ms", "latency_p95_ms",
)
LATENCY_KEYS = frozenset({"latency_p50_ms", "latency_p95_ms"})

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_RTQA_COUNTERS = ("年", "歳", "人", "년")


# -- RealTimeQA / SQuAD free-text scoring ---------------------------------------------------


def normalize_rtqa(text: str) -> str:
    """RealTimeQA's `normalize_answer`: lower-case, drop ASCII punctuation only (curly quotes
    and dashes stay), drop the CJK counters 年 歳 人 년, collapse whitespace. Unlike SQuAD it
    keeps the articles a/an/the."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCTUATION)
    for counter in _RTQA_COUNTERS:
        text = text.replace(counter, "")
    return " ".join(text.split())


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    """1.0 when the prediction equals any gold answer after RealTimeQA normalisation."""
    normalized = normalize_rtqa(prediction)
    return max((1.0 if normalized == normalize_rtqa(g) else 0.0 for g in golds), default=0.0)


def token_f1(prediction: str, golds: Sequence[str]) -> float:
    """Best token-overlap F1 over the gold answers (bag of tokens, RealTimeQA normalisation)."""
    return max((_f1(normalize_rtqa(prediction).split(), normalize_rtqa(g).split()) for g in golds),
               default=0.0)


def _f1(predicted: list[str], gold: list[str]) -> float:
    same = sum((Counter(predicted) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(predicted), same / len(gold)
    return 2 * precision * recall / (precision + recall)


# -- accepted-answer match and support ---------------------------------------------------------


def contains_tokens(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Whether `needle` occurs in `haystack` as a contiguous run of whole tokens."""
    n = len(needle)
    return n > 0 and any(list(haystack[i : i + n]) == list(needle) for i in range(len(haystack) - n + 1))


def answer_matches(prediction: str, accepted: Sequence[str],
                   max_tokens: int = MAX_CONTAINING_TOKENS) -> bool:
    """An accepted answer equals the prediction, or sits inside a short (<= max_tokens) one."""
    predicted = normalize_answer(prediction).split()
    if not predicted:
        return False
    for answer in accepted:
        wanted = normalize_answer(answer).split()
        if wanted and (predicted == wanted
                       or (len(predicted) <= max_tokens and contains_tokens(predicted, wanted))):
            return True
    return False


def supported_by(quotes: Iterable[str], accepted: Sequence[str]) -> bool:
    """Some accepted answer appears, as whole words, in some cited quote. Words here are split at
    every punctuation mark, typographic ones included: "Australia’s" and "101-year-old" say
    "Australia" and "101" (the scorer's normalisation would keep each as one token)."""
    wanted = [_words(a) for a in accepted]
    return any(contains_tokens(words, w) for words in map(_words, quotes) for w in wanted)


def _words(text: str) -> list[str]:
    return normalize_answer("".join(" " if unicodedata.category(c).startswith("P") else c for c in text)).split()


# -- retrieval and latency ----------------------------------------------------------------------


def evidence_rank(retrieved: Sequence[str], evidence_ids: Iterable[str]) -> int | None:
    """1-based rank of the first gold evidence article among the retrieved ids, if any."""
    gold = set(evidence_ids)
    return next((rank for rank, aid in enumerate(retrieved, start=1) if aid in gold), None)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), q in 0..100."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# -- aggregation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the metrics need from one asked question; None means "does not apply"."""

    answerable: bool
    abstained: bool
    correct: bool | None  # None: not scored in this mode (e.g. an "except:" question, open mode)
    exact_match: float | None = None
    f1: float | None = None
    answer_match: bool | None = None
    choice_correct: bool | None = None
    has_evidence: bool = False
    evidence_rank: int | None = None
    citations: int = 0
    valid_citations: int = 0
    supported: bool | None = None  # for correct answers to answerable questions
    latency_ms: float = 0.0


def _mean(values: Iterable[float | bool | None]) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def aggregate(outcomes: Sequence[Outcome]) -> dict[str, float | None]:
    """The headline metrics, fractions in 0..1 (latency in ms); None where nothing applies."""
    with_evidence = [o for o in outcomes if o.has_evidence]
    metrics: dict[str, float | None] = {
        "exact_match": _mean(o.exact_match for o in outcomes),
        "f1": _mean(o.f1 for o in outcomes),
        "answer_accuracy": _mean(o.answer_match for o in outcomes),
        "accuracy": _mean(o.choice_correct for o in outcomes),
    }
    for depth in HIT_DEPTHS:
        metrics[f"hit@{depth}"] = _mean(
            o.evidence_rank is not None and o.evidence_rank <= depth for o in with_evidence
        )
    metrics["mrr"] = _mean(
        1.0 / o.evidence_rank if o.evidence_rank is not None and o.evidence_rank <= MRR_DEPTH else 0.0
        for o in with_evidence
    )
    cited = sum(o.citations for o in outcomes)
    metrics["citation_validity"] = sum(o.valid_citations for o in outcomes) / cited if cited else None
    metrics["citation_support"] = _mean(o.supported for o in outcomes if o.correct and o.answerable)
    judged = [o for o in outcomes if o.correct is not None]
    unanswerable = [o for o in judged if not o.answerable]
    abstained = [o for o in judged if o.abstained]
    rightly = sum(1 for o in unanswerable if o.abstained)
    metrics["abstention_precision"] = rightly / len(abstained) if unanswerable and abstained else None
    metrics["abstention_recall"] = rightly / len(unanswerable) if unanswerable else None
    latencies = [o.latency_ms for o in outcomes]
    metrics["latency_p50_ms"] = percentile(latencies, 50)
    metrics["latency_p95_ms"] = percentile(latencies, 95)
    return {key: metrics[key] for key in METRIC_KEYS}
