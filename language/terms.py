"""Content words of questions and sentences, lightly stemmed, for overlap scores; whether two of
them are the same word; whether a span of a text opens in quotes; an answer's words as answers
are compared (`normalize_answer`)."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[\w’']+")
_STOPWORDS = frozenset(
    "a an and are as at be by did do does for from has have how in is it its of on or the this that "
    "to was were what when where which who whom whose why will with".split()
)


def content_terms(text: str) -> set[str]:
    return {_stem(t) for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS}


def _stem(token: str) -> str:
    token = token.replace("’", "'").removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s"):
        if len(token) > len(suffix) + 3 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def same_word(a: str, b: str, *, sharing: int = 0) -> bool:
    """Equal stems, or one word extends the other by its first 4 letters or more ("Europe" /
    "European"). With `sharing`, also two words that share their first `sharing` letters
    ("injured" / "injuries", with 5)."""
    if a == b:
        return True
    shared = 0
    for x, y in zip(a, b):
        if x != y:
            break
        shared += 1
    return (shared >= 4 and shared == min(len(a), len(b))) or (sharing > 0 and shared >= sharing)


_OPENING_QUOTES = "“\"‘"


def is_quoted(text: str, start: int) -> bool:
    """Whether the span of `text` at `start` opens right after a quotation mark."""
    return start > 0 and text[start - 1] in _OPENING_QUOTES


_ARTICLES = frozenset({"a", "an", "the"})


def normalize_answer(text: str) -> str:
    """SQuAD-style, Unicode-aware: NFKC, lower-case, every punctuation character removed
    (curly quotes, dashes, apostrophes too), articles dropped, whitespace collapsed. Gold answers
    are matched with it (evals) and the ranker's training labels are made with it."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    return " ".join(t for t in text.split() if t not in _ARTICLES)
