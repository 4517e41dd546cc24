"""Sentence boundaries as exact character spans (NLTK punkt, shipped with llama-index-core)."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from index.offline import go_offline, nltk_data_dir

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktSentenceTokenizer

Span = tuple[int, int]
_PARAGRAPH = re.compile(r"[^\n]+")


@cache
def _punkt() -> PunktSentenceTokenizer:
    go_offline()
    import nltk
    from nltk.tokenize import PunktTokenizer

    data = nltk_data_dir()
    if data is not None and str(data) not in nltk.data.path:
        nltk.data.path.append(str(data))
    return PunktTokenizer("english")


def sentence_spans(text: str) -> list[Span]:
    """Spans of sentences; a line break always ends a sentence. Whitespace is never inside a span's ends."""
    spans: list[Span] = []
    tokenizer = _punkt()
    for paragraph in _PARAGRAPH.finditer(text):
        base = paragraph.start()
        for start, end in tokenizer.span_tokenize(paragraph.group()):
            piece = text[base + start : base + end]
            left = len(piece) - len(piece.lstrip())
            right = len(piece.rstrip())
            if right > left:
                spans.append((base + start + left, base + start + right))
    return spans
