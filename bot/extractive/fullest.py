"""An entity answer in its fullest form: "Bills" is given as "Buffalo Bills", "Tokayev" as
"Kassym-Jomart Tokayev", when the articles that support it write that form (spaCy's entities and
noun phrases, stored with each chunk at ingest). A quiz wants the whole name, and a reader knows
whom it means.

Only a name of one word is completed, and only by the name words written just before it: the
answer stays the head of the name. Words after it make another or a more formal thing
("... Pilots Association", "... Motor Company"), and a possessive, an acronym, an abbreviated
title or a question word before it is no part of a name ("Norland's", "US", "Gov.", "What").
On the dev kit the forms without these rules were wrong more often than right.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import takewhile

from bot.extractive.candidates import answer_text
from index.models import Passage
from language.kinds import KINDS, AnswerType

_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_EDGES = "\"'“”‘’()[],.;:!?-–— "
MAX_EXTRA_WORDS = 3  # words a fuller form may add: "Kansas City Chiefs" for "Chiefs"
_QUESTION_WORDS = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "why", "how"})


def fullest_form(answer: str, passages: Sequence[Passage], articles: frozenset[str], kind: AnswerType) -> str:
    """The longer form of `answer` most often written as a name in `articles` (their passages
    among `passages`): the name words written just before it in an entity of one of the labels of
    the kind asked for, or in a noun phrase that adds no other entity ("President of Kazakhstan
    Kassym-Jomart Tokayev" adds a country); the answer itself when there is none."""
    if not answer or " " in answer or any(ch.isdigit() for ch in answer) or not answer[0].isupper():
        return answer
    labels = KINDS[kind].labels
    forms: Counter[str] = Counter()
    for passage in passages:
        if passage.article_id in articles:  # as an answer: "Mayor Jane Okafor" is "Jane Okafor"
            completed = (_completed(answer_text(f, kind), answer) for f in _forms(passage, labels))
            forms.update(answer_text(f, kind) for f in completed if f is not None)
    others = _others(passages, articles, labels)
    for form in list(forms):
        if form == answer or any(form[: -len(answer)].strip() in other for other in others):
            del forms[form]
    if not forms:
        return answer
    return max(forms, key=lambda form: (forms[form], len(form)))


def _text(passage: Passage, start: int, end: int) -> str:
    return _LEADING.sub("", passage.text[start - passage.start : end - passage.start].strip(_EDGES))


def _forms(passage: Passage, labels: frozenset[str]) -> list[str]:
    """The names `passage` writes: its entities of `labels` and its noun phrases that are not
    entities of another label."""
    others = {_text(passage, s, e) for s, e, label in passage.entities if label not in labels}
    named = [_text(passage, s, e) for s, e, label in passage.entities if label in labels]
    return named + [t for s, e in passage.phrases if (t := _text(passage, s, e)) not in others]


def _others(passages: Sequence[Passage], articles: frozenset[str], labels: frozenset[str]) -> set[str]:
    """The entities of other labels written in `articles`: no part of a fuller form."""
    return {_text(p, s, e) for p in passages if p.article_id in articles
            for s, e, label in p.entities if label not in labels}


def _completed(form: str, answer: str) -> str | None:
    """`answer` with the name words `form` writes just before it (at most MAX_EXTRA_WORDS): "Brenna
    Abbotsford" from "Texas Gov. Brenna Abbotsford"; None when `form` does not end with `answer`
    or no name word comes before it."""
    if len(form) <= len(answer) or not form.endswith(answer) or form[-len(answer) - 1] != " ":
        return None
    before = form[: -len(answer)].split()
    names = list(takewhile(_name_word, reversed(before)))[:MAX_EXTRA_WORDS]
    return " ".join([*reversed(names), answer]) if names else None


def _name_word(word: str) -> bool:
    """A word that can be part of a name: capitalised letters, hyphens between ("Kassym-Jomart"),
    not an acronym ("US"), an abbreviation ("Gov."), a possessive ("Norland's") or a question word."""
    return (word[0].isupper() and not word.isupper() and all(part.isalpha() for part in word.split("-"))
            and word.lower() not in _QUESTION_WORDS)
