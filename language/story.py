"""The words a descriptive question names its story with ("What's the latest on the port strike
in Rotterdam?": port, strike, Rotterdam), without the words that only say how to answer (latest,
timeline, summarize, what happened...); and which of them are names (capitalised in the question).

A composed answer keeps to the story these words name, not the neighbouring stories that share
some of them (bot/compose/material.py).
"""

from __future__ import annotations

import re

from language.dates import MONTHS, WEEKDAYS
from language.terms import content_terms

# Words that ask for a shape of answer or fill the request, as written: stemmed like every term.
_ASKING_WORDS = """
give tell show walk explain describe summarize summarise summary summaries overview recap brief briefing
timeline timelines chronology sequence unfold unfolded unfolding happen happened happening happens
latest last news update updates updated new recent recently developments development status progress
stand stands standing going go goes went situation story stories background key main events event
everything anything something know me us please can could would you i list name names reveal revealed
reasons reason cause caused causes lead led behind through about what's whats where's there any so far
why how which who whom whose when where what
""".split()
_ASKING = frozenset(content_terms(" ".join(_ASKING_WORDS)))
_NOT_NAMES = frozenset({*MONTHS, *WEEKDAYS, *_ASKING_WORDS})
_WHEN = frozenset(content_terms(" ".join([*MONTHS, *WEEKDAYS])))
_YEAR = re.compile(r"(?:1[89]|2[01])\d\d")
_WORD = re.compile(r"[\w’'-]+")


def story_terms(question: str) -> frozenset[str]:
    """The content words (stemmed, as `language.terms.content_terms`) that name the story: not
    its asking words, nor the time words that say when (a month, a weekday, a year)."""
    return frozenset(t for t in content_terms(question) - _ASKING if t not in _WHEN and not _YEAR.fullmatch(t))


def story_names(question: str) -> frozenset[str]:
    """The story terms written as names: capitalised, other than the question's first word, a month
    or a weekday ("the strike in Rotterdam" -> {"rotterdam"})."""
    names: set[str] = set()
    for index, match in enumerate(_WORD.finditer(question)):
        word = match.group()
        if index == 0 or not word[:1].isupper() or word.lower() in _NOT_NAMES:
            continue
        names |= content_terms(word.replace("-", " "))
    return frozenset(names & story_terms(question))


def story_text(question: str) -> str:
    """The question without its asking words, to compare sentences with by meaning; the question
    itself when nothing else is left."""
    words = [m.group() for m in _WORD.finditer(question)]
    kept = [w for w in words if not (content_terms(w) and content_terms(w) <= _ASKING)]
    return " ".join(kept) if any(content_terms(w) for w in kept) else question
