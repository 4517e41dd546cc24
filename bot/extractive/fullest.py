"""An entity answer in its fullest form: "Bills" is given as "Buffalo Bills", "Olsen" as
"Margarethe Olsen", when the articles that support it write that form (spaCy's entities and
noun phrases, stored with each chunk at ingest). A quiz wants the whole name, and a reader knows whom it means."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from bot.extractive.candidates import answer_text
from index.models import Passage
from language.kinds import KINDS, AnswerType

_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_EDGES = "\"'“”‘’()[],.;:!?-–— "
MAX_EXTRA_WORDS = 3  # words a fuller form may add: "Kansas City Chiefs" for "Chiefs"


def fullest_form(answer: str, passages: Sequence[Passage], articles: frozenset[str], kind: AnswerType) -> str:
    """The longer form of `answer` most often written as a name in `articles` (their passages
    among `passages`): one that ends with it ("Buffalo Bills") or starts with it, an entity of one
    of the labels of the kind asked for, or a noun phrase that adds no other entity ("President of
    Kazakhstan Kassym-Jomart Tokayev" adds a country); the answer itself when there is none."""
    if not answer or any(ch.isdigit() for ch in answer) or not answer[0].isupper():
        return answer
    limit = len(answer.split()) + MAX_EXTRA_WORDS
    labels = KINDS[kind].labels
    forms: Counter[str] = Counter()
    for passage in passages:
        if passage.article_id in articles:  # as an answer: "Mayor Jane Okafor" is "Jane Okafor"
            written = (answer_text(f, kind) for f in _forms(passage, labels))
            forms.update(f for f in written if f != answer and _extends(f, answer, limit))
    others = _others(passages, articles, labels)
    for form in list(forms):
        if any(_extra(form, answer) in other for other in others):
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


def _extra(form: str, answer: str) -> str:
    return form[: -len(answer)].strip() if form.endswith(answer) else form[len(answer):].strip()


def _extends(text: str, answer: str, limit: int) -> bool:
    """`text` is `answer` with a few whole words before or after it, all capitalised (a name's)."""
    if len(text.split()) > limit or len(text) <= len(answer):
        return False
    if text.endswith(answer) and text[-len(answer) - 1] == " ":
        extra = text[: -len(answer)].split()
    elif text.startswith(answer) and text[len(answer)] == " ":
        extra = text[len(answer):].split()
    else:
        return False
    return bool(extra) and all(word[0].isupper() for word in extra)
