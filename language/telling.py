"""What a sentence of a news article does: reports what happened, or something else.

A story told in a few points is best told by the sentences that report (who did what, how many,
when: "A court sentenced her to nine years on Thursday"), not by the ones that comment on it
(a quote: "“It is a sad day,” she said"), ask ("What did the FBI find?"), or are the page's
furniture: a link's label glued to its headline ("More:Judge approves..."), a video's or a
photo's credit ("Video Ad Feedback ... Source: CNN", "Getty Images"), a pointer to other coverage.
A composed answer prefers the reporting ones (bot/compose/material.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTE_MARKS = "\"“”„«»"
# A quoted passage and its speaker: a quote mark, then "said", "says", "told"... close after it.
_ATTRIBUTED = re.compile(rf"[{_QUOTE_MARKS}’'],?\s+(?:\S+\s+){{0,5}}?(?:said|says|told|wrote|added|tweeted|asked)\b")
# A link's label glued to its headline ("More:Judge...", "Previously:Brittney..."), a credit, a pointer.
_LABEL = re.compile(r"[A-Z][\w ]{0,30}:(?=\S)")
_FURNITURE = ("video ad feedback", "getty images", "ap photo", "source: ", "latest coverage", "click here",
              "sign up", "subscribe", "read more")
# A count, an amount, a day of the month: digits or a number's word.
_DIGIT = re.compile(r"\d")
_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand "
    "million billion dozen dozens".split()
)
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Telling:
    """The marks of what a sentence does: each a reason to show it, or not, in a short story."""

    quote: bool  # it quotes someone (opens with a quote mark, or a quote and its speaker)
    question: bool  # it asks
    furniture: bool  # the page's furniture: a link's label, a credit, a pointer to more
    numbers: bool  # it writes a number (a count, an amount, a date's day)


def telling(text: str) -> Telling:
    stripped = text.strip()
    lowered = stripped.lower()
    return Telling(
        quote=stripped[:1] in _QUOTE_MARKS or bool(_ATTRIBUTED.search(stripped)),
        question=stripped.endswith("?"),
        furniture=bool(_LABEL.match(stripped)) or any(mark in lowered for mark in _FURNITURE),
        numbers=bool(_DIGIT.search(stripped)) or not _NUMBER_WORDS.isdisjoint(_WORD.findall(lowered)),
    )
