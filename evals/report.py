"""The JSON report: headline metrics, breakdowns, the index, published baselines, every answer."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import messages
from bot.settings import Settings
from evals.archive import IndexInfo
from evals.dataset import Dataset, Mode
from evals.llm_report import llm_summary
from evals.metrics import aggregate
from evals.runner import QuestionResult
from index.errors import UserInputError

REPORT_FORMAT = 1


def build_report(
    dataset: Dataset,
    mode: Mode,
    results: Sequence[QuestionResult],
    index: IndexInfo,
    settings: Settings,
    index_spec: dict[str, Any],
    total_questions: int,
) -> dict[str, Any]:
    outcomes = [r.outcome for r in results]
    return {
        "format": REPORT_FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": {
            "name": dataset.name,
            "kind": dataset.kind,
            "path": str(dataset.path),
            "questions": total_questions,
            "asked": len(results),
        },
        "mode": mode.value,
        "metrics": rounded(aggregate(outcomes)),
        "counts": counts(results, mode),
        "by_type": breakdown(results, lambda r: r.question.type),
        "by_source": (
            breakdown(results, lambda r: r.question.source or "unknown")
            if any(r.question.source for r in results) else {}
        ),
        "baselines": dataset.baselines,
        "index": index.to_json(),
        "settings": settings_json(settings, index_spec),
        "llm": llm_summary(results),
        "questions": [r.to_json(mode) for r in results],
    }


def settings_json(settings: Settings, index_spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "index": index_spec,
        "answer": settings.answer.model_dump(mode="json"),
        # which answerer ran and its budgets; never the endpoint or key
        "llm": {"enabled": settings.llm.enabled, "model": settings.llm.model,
                **settings.llm.model_dump(mode="json", include={
                    "passages", "prompt_tokens", "context_tokens", "max_tokens", "timeout"})},
    }


def counts(results: Sequence[QuestionResult], mode: Mode) -> dict[str, int]:
    outcomes = [r.outcome for r in results]
    return {
        "asked": len(results),
        "answerable": sum(o.answerable for o in outcomes),
        "unanswerable": sum(not o.answerable for o in outcomes),
        "scored": sum(o.correct is not None for o in outcomes),
        "correct": sum(bool(o.correct) for o in outcomes),
        "generation_scored": sum(o.exact_match is not None for o in outcomes),
        "with_evidence": sum(o.has_evidence for o in outcomes),
        "abstained": sum(o.abstained for o in outcomes),
        "citations": sum(o.citations for o in outcomes),
        "invalid_citations": sum(o.citations - o.valid_citations for o in outcomes),
        "dropped_by_answerer": sum(r.dropped_by_answerer for r in results),
        # choices mode: answers that are not one of the given choices (a contract breach)
        "off_choice_answers": sum(
            1 for r in results
            if mode is Mode.choices and not r.answer.abstained and r.predicted_index is None
        ),
        "errors": sum(r.error is not None for r in results),
    }


def breakdown(
    results: Sequence[QuestionResult], key: Callable[[QuestionResult], str]
) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        groups[key(result)].append(result)
    return {
        name: {"n": len(group), "metrics": rounded(aggregate([r.outcome for r in group]))}
        for name, group in sorted(groups.items())
    }


def write_report(report: dict[str, Any], path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n",
                        encoding="utf-8")
    except OSError as exc:
        raise UserInputError(messages.CANNOT_WRITE_REPORT.format(path=path, reason=exc.strerror or exc)) from exc


def rounded(metrics: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None else round(v, 4) for k, v in metrics.items()}
