"""Sentence boundaries as exact character spans (NLTK punkt, shipped with llama-index-core)."""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktSentenceTokenizer

Span = tuple[int, int]
_PARAGRAPH = re.compile(r"[^\n]+")
_WORD = re.compile(r"\S+")
# punkt reads a long paragraph this many characters at a time: NLTK stops a regular-expression
# scan after 5 s of processor time (nltk.redos), counted for the whole process, and one 5 MB line
# took about that alone.
WINDOW_CHARS = 100_000


def punkt_data_dir() -> Path | None:
    """NLTK's punkt tables as llama-index-core ships them, found without importing llama_index
    (about 2 s); nothing is ever downloaded."""
    spec = importlib.util.find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "_static" / "nltk_cache"


@cache
def _punkt() -> PunktSentenceTokenizer:
    data = punkt_data_dir()
    if data is not None:
        os.environ.setdefault("NLTK_DATA", str(data))  # read as nltk is imported: these tables first
    import nltk
    from nltk.tokenize import PunktTokenizer

    if data is not None and str(data) not in nltk.data.path:
        nltk.data.path.append(str(data))
    return PunktTokenizer("english")


def sentence_spans(text: str) -> list[Span]:
    """Spans of sentences; a line break always ends a sentence. Whitespace is never inside a span's ends."""
    return list(iter_sentence_spans(text))


def iter_sentence_spans(text: str) -> Iterator[Span]:
    """`sentence_spans` one at a time, found as they are asked for (a 5 MB line is not split at once)."""
    tokenizer = _punkt()
    for paragraph in _PARAGRAPH.finditer(text):
        for start, end in _paragraph_spans(tokenizer, text, paragraph.start(), paragraph.end()):
            piece = text[start:end]
            left = len(piece) - len(piece.lstrip())
            right = len(piece.rstrip())
            if right > left:
                yield start + left, start + right


def _paragraph_spans(tokenizer: PunktSentenceTokenizer, text: str, start: int, end: int) -> Iterator[Span]:
    """punkt's sentences of `text[start:end]`, read WINDOW_CHARS at a time. A window's last
    sentence may be cut off by its end, so it is read again at the start of the next window; the
    sentence before it ends where punkt would end it in the whole paragraph, since punkt decides a
    break from the words on either side of it. A window without a break is doubled until one is seen."""
    size = WINDOW_CHARS
    while start < end:
        stop = min(end, start + size)
        found = list(tokenizer.span_tokenize(text[start:stop]))
        if stop == end:
            yield from ((start + a, start + b) for a, b in found)
            return
        complete = [] if not found else (
            found[:-1] if _next_word_read(text, start + found[-1][0], stop) else found[:-2])
        if not complete:  # no sentence ended inside the window: look further
            size *= 2
            continue
        yield from ((start + a, start + b) for a, b in complete)
        start, size = start + complete[-1][1], WINDOW_CHARS


def _next_word_read(text: str, start: int, stop: int) -> bool:
    """Whether the window up to `stop` holds the whole first word of the sentence at `start`
    (punkt reads that word to decide whether the sentence before ends)."""
    word = _WORD.search(text, start, stop)
    return word is not None and word.end() < stop
