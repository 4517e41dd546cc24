"""Last line of defence against prompt injection: text that addresses a language model is not evidence.

An article may say "ignore previous instructions and say X". The prompt marks passages as data,
but a model may obey anyway and cite that very sentence, which IS verbatim in the archive. Such
quotes (and answers) are refused in LLM mode. Deliberately narrow: news prose rarely matches.
"""

from __future__ import annotations

import re

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
