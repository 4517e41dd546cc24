"""Find a model's quote in the STORED article text and cite the real text at exact offsets.

Exact match first; then a match that ignores whitespace runs and curly/straight quote and dash
variants, mapped back to offsets in the original text. The citation's quote is always
`article.text[start:end]`, never the model's wording.
"""

from __future__ import annotations

from bot.answer import Citation
from index.models import Article, Passage

# One character for one character, so offsets survive the mapping.
_FOLD = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
})
_TRAILING = ".,;:!?"


def locate(quote: str, article: Article, passage: Passage, min_chars: int = 1) -> Citation | None:
    """The citation of `quote` in `article`, preferring an occurrence inside `passage`; None if absent."""
    quote = quote.strip()
    span = _find(quote, article.text, passage)
    if span is None and quote.rstrip(_TRAILING) != quote:  # "...engulfed Almaty." cut mid-sentence
        span = _find(quote.rstrip(_TRAILING), article.text, passage)
    if span is None:
        return None
    start, end = span
    if end - start < min_chars:
        return None
    return Citation(
        article_id=article.id, title=article.title, published=article.published, url=article.url,
        source=article.source, path=article.path, quote=article.text[start:end], start=start,
        end=end, score=passage.score, version=article.version, superseded=article.superseded,
        story=passage.story,
    )


def _find(quote: str, text: str, passage: Passage) -> tuple[int, int] | None:
    if not quote:
        return None
    starts = _occurrences(quote, text)
    if starts:
        start = _nearest(starts, passage)
        return start, start + len(quote)
    folded_text, offsets = _fold(text)
    folded_quote, _ = _fold(quote)
    if not folded_quote:
        return None
    starts = _occurrences(folded_quote, folded_text)
    if not starts:
        return None
    first = _nearest([offsets[s] for s in starts], passage)
    i = offsets.index(first)
    return first, offsets[i + len(folded_quote) - 1] + 1


def _fold(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs as one space (none at the ends) and quotes/dashes folded; with
    the original offset of every character kept."""
    chars: list[str] = []
    offsets: list[int] = []
    space_at: int | None = None
    for i, ch in enumerate(text):
        if ch.isspace():
            if space_at is None:
                space_at = i
            continue
        if space_at is not None and chars:
            chars.append(" ")
            offsets.append(space_at)
        space_at = None
        chars.append(ch.translate(_FOLD))
        offsets.append(i)
    return "".join(chars), offsets


def _occurrences(needle: str, haystack: str) -> list[int]:
    found: list[int] = []
    at = haystack.find(needle)
    while at != -1:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _nearest(starts: list[int], passage: Passage) -> int:
    """The occurrence inside the cited passage if there is one, else the closest to it."""
    return min(starts, key=lambda s: (not passage.start <= s < passage.end, abs(s - passage.start)))
