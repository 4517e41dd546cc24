"""What of a retrieved passage may be evidence: every sentence but those addressed to machines.

Both answerers read passages through `without_addressed`. A sentence that speaks to AI models,
assistants or summarisers, or gives them orders (`language.addressed`), is blanked out of its
passage, with spaces, so every other offset stays true: it is never scored, voted for, cited or
shown to a model, and the rest of its article still is. A passage left with no sentence is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from index.models import Passage
from language.addressed import addressed_spans, addresses_machines
from language.sentences import sentence_spans

_WINDOW = 2000


def without_addressed(passages: Sequence[Passage]) -> list[Passage]:
    """The passages with the sentences that address machines blanked out (see the module docstring)."""
    kept: list[Passage] = []
    for passage in passages:
        cleaned = _without_addressed(passage)
        if cleaned is not None:
            kept.append(cleaned)
    return kept


def addressed_at(text: str, start: int, end: int) -> bool:
    """Whether a quote of `text[start:end]` touches a sentence addressed to machines, or one such
    a sentence introduces. Only the quote's lines and the line before are split into sentences
    (a line break always ends one), at most `_WINDOW` characters either side."""
    if addresses_machines(text[start:end]):
        return True
    line = text.rfind("\n", 0, start) + 1
    low = max(text.rfind("\n", 0, max(line - 1, 0)) + 1 if line else 0, start - _WINDOW)
    high = text.find("\n", end)
    high = min(len(text) if high == -1 else high, end + _WINDOW)
    window = text[low:high]
    return any(low + a < end and start < low + b for a, b in addressed_spans(window, sentence_spans(window)))


def _without_addressed(passage: Passage) -> Passage | None:
    spans = _sentences(passage)
    relative = [(a - passage.start, b - passage.start) for a, b in spans]
    addressed = {(a + passage.start, b + passage.start) for a, b in addressed_spans(passage.text, relative)}
    if not addressed:
        return passage
    text = passage.text
    for start, end in addressed:
        a, b = start - passage.start, end - passage.start
        text = text[:a] + " " * (b - a) + text[b:]
    if len(addressed) == len(spans):
        return None

    def outside(start: int, end: int) -> bool:
        return not any(a < end and start < b for a, b in addressed)

    return replace(
        passage, text=text, sentences=tuple(s for s in passage.sentences if outside(*_clipped(passage, s))),
        entities=tuple(e for e in passage.entities if outside(e[0], e[1])),
        phrases=tuple(p for p in passage.phrases if outside(p[0], p[1])),
    )


def _sentences(passage: Passage) -> list[tuple[int, int]]:
    """The passage's sentences as spans of the article inside the passage, in order: as stored
    at ingest (cut at the passage's ends), or split now when none were."""
    if passage.sentences:
        return sorted({_clipped(passage, s) for s in passage.sentences if s[0] < passage.end and s[1] > passage.start})
    return [(passage.start + a, passage.start + b) for a, b in sentence_spans(passage.text)]


def _clipped(passage: Passage, span: tuple[int, int]) -> tuple[int, int]:
    return max(span[0], passage.start), min(span[1], passage.end)
