"""The JSON report of a descriptive set: headline figures, figures per shape, every answer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.settings import Settings
from evals.archive import IndexInfo
from evals.dataset import Dataset
from evals.descriptive_metrics import aggregate_descriptive
from evals.descriptive_runner import DescriptiveResult
from evals.llm_report import llm_summary
from evals.report import REPORT_FORMAT, rounded, settings_json


def build_descriptive_report(dataset: Dataset, results: Sequence[DescriptiveResult], index: IndexInfo,
                             settings: Settings, index_spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": REPORT_FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": {
            "name": dataset.name,
            "kind": dataset.kind,
            "path": str(dataset.path),
            "questions": dataset.size,
            "asked": len(results),
        },
        "mode": "open",
        "metrics": rounded(aggregate_descriptive([r.score for r in results])),
        "counts": descriptive_counts(results),
        "by_shape": by_shape(results),
        "index": index.to_json(),
        "settings": settings_json(settings, index_spec),
        "llm": llm_summary(results),
        "questions": [r.to_json() for r in results],
    }


def descriptive_counts(results: Sequence[DescriptiveResult]) -> dict[str, int]:
    scores = [r.score for r in results]
    return {
        "asked": len(results),
        "key_facts": sum(len(s.facts) for s in scores),
        "covered": sum(s.covered for s in scores),
        "timeline_pairs": sum(s.pairs for s in scores),
        "pairs_in_order": sum(s.pairs_in_order for s in scores),
        "items": sum(len(s.items) for s in scores),
        "items_in_story": sum(s.items_in_story for s in scores),
        "composed": sum(bool(r.answer.points) for r in results),
        "abstained": sum(r.answer.abstained for r in results),
        "citations": sum(s.citations for s in scores),
        "invalid_citations": sum(s.citations - s.valid_citations for s in scores),
        "dropped_by_answerer": sum(r.answer.dropped_citations for r in results),
        "errors": sum(r.error is not None for r in results),
    }


def by_shape(results: Sequence[DescriptiveResult]) -> dict[str, dict[str, Any]]:
    """The figures per shape asked, with how many questions and key facts each is over."""
    groups: dict[str, list[DescriptiveResult]] = defaultdict(list)
    for result in results:
        groups[result.question.shape].append(result)
    return {
        shape: {"n": len(group), "key_facts": sum(len(r.score.facts) for r in group),
                "metrics": rounded(aggregate_descriptive([r.score for r in group]))}
        for shape, group in sorted(groups.items())
    }
