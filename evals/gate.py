"""The regression gate: compare headline quality metrics with an earlier report's."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import messages
from evals.descriptive_metrics import DESCRIPTIVE_GATED_KEYS
from evals.metrics import LATENCY_KEYS, METRIC_KEYS
from index.errors import UserInputError

# Latency is reported, not gated: it varies by about a third between runs on the same machine.
GATED_KEYS = tuple(k for k in METRIC_KEYS if k not in LATENCY_KEYS)


@dataclass(frozen=True)
class Regression:
    metric: str
    old: float
    new: float


@dataclass(frozen=True)
class GateResult:
    regressions: list[Regression]
    gone: list[tuple[str, float]]  # measured in the baseline, not measurable now

    @property
    def passed(self) -> bool:
        return not self.regressions


def load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserInputError(messages.BASELINE_NOT_FOUND.format(path=path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise UserInputError(messages.BAD_BASELINE.format(path=path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise UserInputError(messages.BAD_BASELINE.format(path=path))
    return data


def gated_keys(report: Mapping[str, Any]) -> tuple[str, ...]:
    """The headline metrics of the report's kind of dataset (a descriptive set has its own)."""
    descriptive = (report.get("dataset") or {}).get("kind") == "descriptive"
    return DESCRIPTIVE_GATED_KEYS if descriptive else GATED_KEYS


def compare(
    current: Mapping[str, float | None], baseline: Mapping[str, Any], tolerance: float,
    keys: Sequence[str] = GATED_KEYS,
) -> GateResult:
    """A metric regresses when it is lower than the baseline's by more than `tolerance`."""
    regressions: list[Regression] = []
    gone: list[tuple[str, float]] = []
    for key in keys:
        old, new = baseline.get(key), current.get(key)
        if not isinstance(old, (int, float)) or isinstance(old, bool):
            continue
        if new is None:
            gone.append((key, float(old)))
        elif old - new > tolerance + 1e-9:  # 1e-9: rounding in the stored report
            regressions.append(Regression(key, float(old), float(new)))
    return GateResult(regressions, gone)
