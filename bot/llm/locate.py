"""Find a model's quote in the STORED article text and cite the real text at exact offsets.

Three steps, each tried in the cited passage first, then anywhere in its article:

1. exact: the quote as written; it is cited as it stands.
2. normalised: ignoring case, whitespace runs and curly/straight quote and dash variants.
3. aligned: word by word against each sentence (and each pair of adjacent sentences), for a quote
   that dropped a leading clause, shortened a name ("Her" for "Griner's", "CDC" for "Centers for
   Disease Control") or left words out. Only differences that change no fact are allowed: the
   quote may leave words out, and may stand a pronoun, an article or an acronym for the archive's
   words, but may not add a word of its own, change a number, a name or a date, or lose a "not".

Steps 2 and 3 cite the archive's whole sentence(s) around the match, never the model's wording:
the citation's quote is always `article.text[start:end]`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.answer import Citation
from index.models import Article, Passage
from language.dates import NUMBERS

# One character for one character, so offsets survive the mapping.
_FOLD = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
})
_TRAILING = ".,;:!?"
_ELLIPSIS = re.compile(r"^(?:\.\.\.|…)\s*|\s*(?:\.\.\.|…)$")
_WORD = re.compile(r"[^\W_]+")
# Words a quote may have where the archive has other words: they state no fact of their own.
_SOFT = frozenset(
    "a an the this that these those it its he him his she her hers they them their theirs we our "
    "us you your who which whose and or of in on at to for by with from as".split()
)
_NEGATIONS = frozenset("not no never nor without t none nobody nothing".split())  # "didn't" -> didn, t
_NUMBER_WORDS = {w: str(n) for w, n in NUMBERS.items() if " " not in w and w not in ("a", "an")}
_TWO_SENTENCES = re.compile(r"[.!?][\"'’”)]*\s+[\"'‘“(]*[A-Z0-9]")
_MIN_ALIGNED_WORDS = 4
_MIN_SHARE = 0.75  # of the quote's words found in order in the sentence


def locate(quote: str, article: Article, passage: Passage, min_chars: int = 1) -> Citation | None:
    """The citation of `quote` in `article`, preferring the cited `passage`; None if absent."""
    quote = _ELLIPSIS.sub("", quote.strip())
    span = _exact(quote, article.text, passage)
    if span is None and quote.rstrip(_TRAILING) != quote:  # "...engulfed Almaty." cut mid-sentence
        span = _exact(quote.rstrip(_TRAILING), article.text, passage)
    if span is None:
        span = _normalised(quote, article.text, passage) or _aligned(quote, article.text, passage)
        if span is not None:
            span = whole_sentences(article.text, span)
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


# -- 1 and 2: the quote as written, then normalised ----------------------------------------------


def _exact(quote: str, text: str, passage: Passage) -> tuple[int, int] | None:
    starts = _occurrences(quote, text) if quote else []
    if not starts:
        return None
    start = _nearest(starts, passage)
    return start, start + len(quote)


def _normalised(quote: str, text: str, passage: Passage) -> tuple[int, int] | None:
    folded_text, offsets = _fold(text)
    folded_quote, _ = _fold(quote.rstrip(_TRAILING))
    if not folded_quote:
        return None
    starts = _occurrences(folded_quote, folded_text)
    if not starts:
        return None
    first = _nearest([offsets[s] for s in starts], passage)
    i = offsets.index(first)
    return first, offsets[i + len(folded_quote) - 1] + 1


def _fold(text: str) -> tuple[str, list[int]]:
    """Text lower-cased, with whitespace runs as one space (none at the ends) and quotes/dashes
    folded; with the original offset of every character kept."""
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
        lower = ch.lower()
        chars.append((lower if len(lower) == 1 else ch).translate(_FOLD))
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


# -- 3: aligned word by word -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    keys: list[str]  # lower-cased, number words as digits: what is compared
    raw: list[str]  # as written: for acronyms


def _words(text: str) -> _Words:
    raw = _WORD.findall(text.translate(_FOLD))
    return _Words([_NUMBER_WORDS.get(w.lower(), w.lower()) for w in raw], raw)


def _aligned(quote: str, text: str, passage: Passage) -> tuple[int, int] | None:
    """The sentence (or two adjacent ones) the quote is a faithful rendering of, nearest the passage."""
    from language.sentences import sentence_spans

    wanted = _words(quote)
    if len(wanted.keys) < _MIN_ALIGNED_WORDS:
        return None
    spans = sentence_spans(text)
    candidates = list(spans)
    if _TWO_SENTENCES.search(quote.strip()):  # two adjacent sentences, only for a quote of two
        candidates += [(a[0], b[1]) for a, b in zip(spans, spans[1:])]
    best: tuple[tuple[int, bool, int, int], tuple[int, int]] | None = None
    for start, end in candidates:
        matched = _faithful(wanted, _words(text[start:end]))
        if matched is None:
            continue
        # Most words matched, then inside the passage, then the shorter span, then the nearest.
        rank = (-matched, not passage.start <= start < passage.end, end - start, abs(start - passage.start))
        if best is None or rank < best[0]:
            best = (rank, (start, end))
    return best[1] if best else None


def _faithful(quote: _Words, sentence: _Words) -> int | None:
    """How many of the quote's words the sentence holds in order, if the quote changes no fact of
    the sentence (see the module docstring); else None."""
    q, s = quote.keys, sentence.keys
    ops = SequenceMatcher(None, q, s, autojunk=False).get_opcodes()
    matched = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    if matched < _MIN_ALIGNED_WORDS or matched < _MIN_SHARE * len(q):
        return None
    equal = [n for n, op in enumerate(ops) if op[0] == "equal"]
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        inside = equal[0] < n < equal[-1]  # between matched words, not a dropped lead or tail
        theirs, ours = s[j1:j2], q[i1:i2]
        if inside and any(w in _NEGATIONS or w.isdigit() for w in theirs):
            return None  # the quote lost a "not" or a number from the middle of the sentence
        if tag == "delete" and not all(_soft(raw) for raw in quote.raw[i1:i2]):
            return None  # the quote adds a word of its own
        if tag == "replace" and not _stands_for(quote.raw[i1:i2], ours, sentence.raw[j1:j2], theirs):
            return None
    return matched


def _stands_for(ours_raw: Sequence[str], ours: Sequence[str], theirs_raw: Sequence[str],
                theirs: Sequence[str]) -> bool:
    """Whether the quote's words may stand for the archive's: pronouns and articles for a name or
    a noun phrase ("Her" for "Griner's"), an acronym for a name ("CDC" for "US Centers for Disease
    Control and Prevention"). Never a number or a negation on either side."""
    if any(w.isdigit() or w in _NEGATIONS for w in [*ours, *theirs]):
        return False
    if all(_soft(raw) for raw in ours_raw):
        return True
    if len(ours_raw) == 1 and len(ours_raw[0]) >= 2 and ours_raw[0].isupper():
        initials = "".join(w[0] for w in theirs_raw if w[0].isupper())
        return _subsequence(ours_raw[0], initials)
    return False


def _soft(raw: str) -> bool:
    """A word that states no fact: a pronoun, an article, a preposition; never an acronym ("WHO")."""
    return raw.lower() in _SOFT and not (raw.isupper() and len(raw) > 1)


def _subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


def whole_sentences(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span widened to the sentences it touches."""
    from language.sentences import sentence_spans

    start, end = span
    touched = [(a, b) for a, b in sentence_spans(text) if a < end and b > start]
    if not touched:
        return span
    return min(start, touched[0][0]), max(end, touched[-1][1])
