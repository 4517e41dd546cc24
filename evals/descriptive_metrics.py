"""Scoring a descriptive answer by what a reader sees: pure functions, checked against
hand-computed cases in the tests.

What is shown, in display order: the answer text, then each point's quote, then each citation's
quote that is not already shown (as a point, or as the answer itself), joined by line breaks and
cut at the first `SHOWN_CHARS` characters. An abstention shows nothing.

- A key fact is **covered** when one of its accept strings appears in the shown text, as whole
  words, after `normalise` (case, Unicode forms, whitespace, quote marks and dashes).
- **Timeline order**: of the pairs of covered facts with different dates, the share shown in
  date order (by where each first appears).
- **Item precision**: of the shown items (points, citations), the share quoting an article of
  the question's story.
- A question with a citation that does not equal the stored text covers nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer import Answer, Citation
from evals.dataset import DescriptiveQuestion, KeyFact
from evals.metrics import LATENCY_KEYS, percentile
from index.versions import base_id

SHOWN_CHARS = 2500
SEPARATOR = "\n"

DESCRIPTIVE_KEYS = (
    "key_fact_recall", "timeline_order", "item_precision", "shape_match",
    "citation_validity", "latency_p50_ms", "latency_p95_ms",
)
DESCRIPTIVE_GATED_KEYS = tuple(k for k in DESCRIPTIVE_KEYS if k not in LATENCY_KEYS)

_QUOTES = "\"'`´‘’‚‛“”„‟‹›«»′″"
_DASHES = "‐‑‒–—―−⁃﹘﹣－"
_TYPOGRAPHY = str.maketrans({**{c: "'" for c in _QUOTES}, **{c: "-" for c in _DASHES}})


def normalise(text: str) -> str:
    """NFKC, every quote mark as ', every dash as -, case folded, whitespace runs as one space."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold().split())


def find_words(needle: str, haystack: str) -> int | None:
    """Where `needle` first occurs in `haystack` (both normalised) as whole words: an end of the
    needle that is a letter or digit must not continue a word of the haystack."""
    if not needle:
        return None
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        open_left = not needle[0].isalnum() or start == 0 or not haystack[start - 1].isalnum()
        open_right = not needle[-1].isalnum() or end == len(haystack) or not haystack[end].isalnum()
        if open_left and open_right:
            return start
        start = haystack.find(needle, start + 1)
    return None


@dataclass(frozen=True)
class ShownItem:
    """One quoted item of the answer as displayed: a point or a citation."""

    kind: str  # "point" or "citation"
    article_id: str
    start: int  # where its quote begins in the displayed text


def _key(citation: Citation) -> tuple[str, int, int]:
    return citation.article_id, citation.start, citation.end


def displayed(answer: Answer) -> tuple[str, list[ShownItem]]:
    """The text a reader sees, in display order and uncut, with the items it quotes. A quote that
    is the answer text itself is shown once, as the answer (the item begins there)."""
    if answer.abstained:
        return "", []
    lead = answer.answer or ""
    parts, items = [lead], []
    offset = len(lead) + len(SEPARATOR)
    points = {_key(p.citation) for p in answer.points}
    quoted = [("point", p.citation) for p in answer.points] + [
        ("citation", c) for c in answer.citations if _key(c) not in points
    ]
    for kind, citation in quoted:
        if citation.quote == lead:
            items.append(ShownItem(kind, base_id(citation.article_id), 0))
            continue
        items.append(ShownItem(kind, base_id(citation.article_id), offset))
        parts.append(citation.quote)
        offset += len(citation.quote) + len(SEPARATOR)
    return SEPARATOR.join(parts), items


@dataclass(frozen=True)
class FactCoverage:
    fact: KeyFact
    matched: str | None  # the accept string found
    position: int | None  # where it first appears in the normalised shown text

    @property
    def covered(self) -> bool:
        return self.position is not None


def coverage(fact: KeyFact, shown: str) -> FactCoverage:
    """The first appearance of any of the fact's accept strings in `shown` (normalised)."""
    found = [(p, a) for a in fact.accept if (p := find_words(normalise(a), shown)) is not None]
    if not found:
        return FactCoverage(fact, None, None)
    position, accept = min(found)
    return FactCoverage(fact, accept, position)


def ordered_pairs(covered: Sequence[FactCoverage]) -> tuple[int, int]:
    """(pairs shown in date order, pairs): over covered facts with different dates."""
    dated = [(c.fact.date, c.position) for c in covered if c.fact.date is not None and c.position is not None]
    in_order = pairs = 0
    for i, (day_i, at_i) in enumerate(dated):
        for day_j, at_j in dated[i + 1:]:
            if day_i == day_j:
                continue
            pairs += 1
            in_order += (day_i < day_j) == (at_i < at_j)
    return in_order, pairs


@dataclass(frozen=True)
class DescriptiveScore:
    """One question's figures."""

    facts: tuple[FactCoverage, ...]
    shown: str  # the displayed text, cut at SHOWN_CHARS
    items: tuple[ShownItem, ...]  # those beginning within the cut
    items_in_story: int
    pairs_in_order: int
    pairs: int
    citations: int
    valid_citations: int
    shape_match: bool
    latency_ms: float

    @property
    def covered(self) -> int:
        return sum(f.covered for f in self.facts)

    @property
    def recall(self) -> float:
        return self.covered / len(self.facts) if self.facts else 0.0


def score_answer(question: DescriptiveQuestion, answer: Answer, citations_valid: Sequence[bool],
                 latency_ms: float) -> DescriptiveScore:
    """Score `answer` as shown (after the citation gate); `citations_valid` holds one flag per
    citation of the raw answer: any False and the answer covers nothing."""
    text, items = displayed(answer)
    cut = text[:SHOWN_CHARS]
    shown_items = tuple(i for i in items if i.start < len(cut))
    trusted = all(citations_valid)
    haystack = normalise(cut) if trusted else ""
    facts = tuple(coverage(f, haystack) for f in question.key_facts)
    in_order, pairs = ordered_pairs(facts) if question.shape == "timeline" else (0, 0)
    story = question.story
    return DescriptiveScore(
        facts=facts, shown=cut, items=shown_items,
        items_in_story=sum(i.article_id in story for i in shown_items),
        pairs_in_order=in_order, pairs=pairs,
        citations=len(citations_valid), valid_citations=sum(citations_valid),
        shape_match=answer.shape == question.shape, latency_ms=latency_ms,
    )


def aggregate_descriptive(scores: Sequence[DescriptiveScore]) -> dict[str, float | None]:
    """The headline figures, pooled: over key facts, timeline pairs, shown items, citations."""
    facts = sum(len(s.facts) for s in scores)
    pairs = sum(s.pairs for s in scores)
    items = sum(len(s.items) for s in scores)
    cited = sum(s.citations for s in scores)
    latencies = [s.latency_ms for s in scores]
    return {
        "key_fact_recall": sum(s.covered for s in scores) / facts if facts else None,
        "timeline_order": sum(s.pairs_in_order for s in scores) / pairs if pairs else None,
        "item_precision": sum(s.items_in_story for s in scores) / items if items else None,
        "shape_match": sum(s.shape_match for s in scores) / len(scores) if scores else None,
        "citation_validity": sum(s.valid_citations for s in scores) / cited if cited else None,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }
