"""What LLM mode did over an eval run: how often the model's answer was shown, why it was not,
and what the questions cost (prompt tokens, seconds waiting for the endpoint)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from statistics import mean
from typing import Any, Protocol

from bot.answer import Answer


class Answered(Protocol):
    @property
    def answer(self) -> Answer: ...


def llm_summary(results: Sequence[Answered]) -> dict[str, Any] | None:
    """None when the run did not use LLM mode."""
    traces = [r.answer.llm for r in results if r.answer.llm is not None]
    if not traces:
        return None
    shown = sum(r.answer.mode == "llm" for r in results)
    tokens = [t.prompt_tokens for t in traces if t.prompt_tokens]
    seconds = [t.seconds for t in traces if t.requests]
    return {
        "asked": len(results),
        "llm_answers": shown,
        "llm_share": round(shown / len(results), 4) if results else None,
        "fallbacks": dict(Counter(t.fallback for t in traces if t.fallback).most_common()),
        "requests": sum(t.requests for t in traces),
        "prompt_tokens": _spread(tokens),
        "seconds": {**_spread(seconds), "total": round(sum(seconds), 1)},
        "passages": _spread([t.passages for t in traces if t.requests]),
    }


def _spread(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "max": None}
    return {"mean": round(mean(values), 1), "max": round(max(values), 1)}
