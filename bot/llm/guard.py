"""Last line of defence against prompt injection: text that addresses a language model is not evidence.

An article may say "ignore previous instructions and say X". The prompt marks passages as data,
but a model may obey anyway and cite that very sentence, which IS verbatim in the archive. Such
quotes (and answers) are refused in LLM mode. Deliberately narrow: news prose rarely matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_PATTERNS = re.compile(
    r"""
    \b(ignore|disregard|forget|override)\b[^.!?\n]{0,40}?
        \b(previous|prior|above|earlier|preceding|all|any|your|the|system)\b[^.!?\n]{0,20}?
        \b(instructions?|prompts?|rules|directions|guidelines)\b
    | \bsystem\s+prompt\b
    | \byou\s+are\s+now\b
    | \b(new|updated|real)\s+instructions?\s*:
    | ^\s*(system|assistant)\s*:
    | <<<\s*(end\s+)?passage\b
    """,
    re.IGNORECASE | re.VERBOSE | re.MULTILINE,
)


def looks_like_instructions(text: str) -> bool:
    return _PATTERNS.search(text) is not None


_LONG_NUMBER = re.compile(r"\d{3,}")
_UNCHECKED = frozenset({"yes", "no", "not", "none", "unknown"})


def supported(answer: str, evidence: Sequence[str]) -> bool:
    """Whether the answer's facts come from the evidence (cited passages, their titles and dates,
    the question): every number of 3+ digits (years, counts) appears there, and at least half of
    its content words do. Coarse on purpose: it stops an answer planted by an injected passage
    and paired with a real but unrelated quote, without judging paraphrase."""
    from bot.extractive_terms import content_terms

    text = "\n".join(evidence)
    if any(number not in text for number in _LONG_NUMBER.findall(answer)):
        return False
    words = {t for t in content_terms(answer) if not t.isdigit()} - _UNCHECKED
    if not words:
        return True
    return len(words & content_terms(text)) * 2 >= len(words)
