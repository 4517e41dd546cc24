"""Content words of questions and sentences, lightly stemmed, for overlap scores."""

from __future__ import annotations

import re

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


