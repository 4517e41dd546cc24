"""The kinds of answer a question can ask for, in one table.

For each kind (`AnswerType`): the question forms that ask for it (`QUESTION_FORMS`, tried in
order), the form a right answer takes (`Form`; a number with its unit or not), the spaCy labels
that can carry it, the ranker's group for it, and how the extractive answerer picks its short
answer (`Picking`). `language.question` finds a question's kind with `asked_kind`; the extractive
reader (`bot/extractive/features.py`: type fit), the ranker (`bot/extractive/ranker.py`), the pickers
(`bot/extractive/pickers.py`, one for each `Picking`) and LLM mode's support check
(`bot/llm/support.py`) read the rest from `KINDS`.

Adding a kind: its member of `AnswerType`, its row of `KINDS`, its question forms in
`QUESTION_FORMS`, and tests (tests/test_kinds.py checks that every kind has a row). A kind picked
in a way of its own adds a member of `Picking` and its picker in `bot/extractive/pickers.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class AnswerType(StrEnum):
    DATE = "date"
    PERSON = "person"
    ORGANIZATION = "organization"
    PLACE = "place"
    NUMBER = "number"
    QUANTITY = "quantity"
    REASON = "reason"
    YESNO = "yes/no"
    ENTITY = "entity"  # "which show / what app": a named thing
    DESCRIPTION = "description"  # "what did X do": a phrase
    CONTINUATION = "continuation"  # "the death toll rose to:": the words that complete it


class Form(StrEnum):
    """What a right answer looks like."""

    DATE = "date"  # a date or a time
    NUMBER = "number"  # a count, an amount, a share
    PERSON = "person"  # a person's name
    PLACE = "place"  # a place's name
    ORGANIZATION = "organization"  # an organisation's name
    NAME = "name"  # a name, or a phrase naming the thing the question names ("which bird")
    TEXT = "text"  # any words: no form is required


class Group(StrEnum):
    """The learned ranker's groups of kinds, for the few features whose weight depends on what is
    asked. Their names and order are part of the ranker's features (bot/extractive/ranker.json)."""

    NAMED = "named"
    THING = "thing"
    NUMBER = "number"
    OTHER = "other"


class Picking(StrEnum):
    """How the extractive answerer picks a kind's short answer: each has its picker in
    `bot/extractive/pickers.py` (`PICKERS`)."""

    RANKED = "ranked"  # the best candidate span by the learned ranker (by the hand-set votes without one)
    VOTED = "voted"  # the best candidate span by the hand-set votes
    DATE = "date"  # the first date of the best sentence that has one, resolved against its article
    CONTINUATION = "continuation"  # the words that complete a fill-in ("the death toll rose to:")
    SENTENCE = "sentence"  # the best sentence itself (yes/no)


_NAMES = (Form.PERSON, Form.PLACE, Form.ORGANIZATION, Form.NAME)


@dataclass(frozen=True)
class Kind:
    answer: Form  # what a right answer looks like
    labels: frozenset[str]  # the spaCy entity labels that can carry it
    group: Group  # the learned ranker's group
    picker: Picking  # how the extractive answerer picks its short answer
    with_unit: bool = False  # a number answer is said with what it measures ("12 days", "$3 million")

    @property
    def named(self) -> bool:
        """Its answers are names (or, for "which X", phrases naming a thing); "which two..." joins them."""
        return self.answer in _NAMES

    @property
    def ranked(self) -> bool:
        """The learned ranker picks its short answer."""
        return self.picker is Picking.RANKED

    @property
    def measured(self) -> bool:
        """Its answer is a date or a number: that is the answer's key content."""
        return self.answer in (Form.DATE, Form.NUMBER)


_AMOUNTS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
KINDS: Mapping[AnswerType, Kind] = {
    AnswerType.DATE: Kind(Form.DATE, frozenset({"DATE", "TIME"}), Group.OTHER, Picking.DATE),
    AnswerType.PERSON: Kind(Form.PERSON, frozenset({"PERSON"}), Group.NAMED, Picking.RANKED),
    AnswerType.ORGANIZATION: Kind(Form.ORGANIZATION, frozenset({"ORG"}), Group.NAMED, Picking.RANKED),
    AnswerType.PLACE: Kind(Form.PLACE, frozenset({"GPE", "LOC", "FAC"}), Group.NAMED, Picking.RANKED),
    AnswerType.NUMBER: Kind(Form.NUMBER, _AMOUNTS, Group.NUMBER, Picking.RANKED),
    AnswerType.QUANTITY: Kind(Form.NUMBER, _AMOUNTS, Group.NUMBER, Picking.RANKED, with_unit=True),
    AnswerType.REASON: Kind(Form.TEXT, frozenset(), Group.OTHER, Picking.VOTED),
    AnswerType.YESNO: Kind(Form.TEXT, frozenset(), Group.OTHER, Picking.SENTENCE),
    AnswerType.ENTITY: Kind(Form.NAME, frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "NORP", "FAC",
                                                  "GPE", "PERSON", "LANGUAGE"}), Group.THING, Picking.RANKED),
    AnswerType.DESCRIPTION: Kind(Form.TEXT, frozenset(), Group.OTHER, Picking.RANKED),
    AnswerType.CONTINUATION: Kind(Form.TEXT, frozenset(), Group.OTHER, Picking.CONTINUATION),
}
# Kinds whose answers are names (or, for "which X", phrases naming a thing).
NAMED_KINDS = tuple(kind for kind, row in KINDS.items() if row.named)
# Kinds whose short answer the learned ranker picks; dates, yes/no, fill-ins and reasons keep their own pickers.
RANKED_KINDS = tuple(kind for kind, row in KINDS.items() if row.ranked)


# -- question forms ----------------------------------------------------------------------------

_PLACE_NOUNS = r"country|countries|city|cities|state|states|nation|continent|region|province|island|town|county|capital|place|location|area|areas|neighborhood|territory|village|border|port|site|venue"
_PERSON_NOUNS = r"person|people|celebrities|man|woman|player|actor|actress|singer|rapper|president|leader|minister|official|author|star|athlete|ceo|founder|artist|musician|director|judge|senator|governor|candidate|king|queen|prince|princess|pope|celebrity|comedian|host|coach|lawmaker|executive|billionaire|journalist|politician|member"
_ORG_NOUNS = r"company|companies|organization|organisation|agency|party|team|group|firm|airline|brand|network|retailer|bank|university|school|club|union|league|automaker|carmaker|chain|restaurant|store|outlet|publisher|studio|department|court|committee|institution|manufacturer|giant|startup|business|corporation|government|nonprofit"
_MEASURE_NOUNS = r"magnitude|rate|score|temperature|cost|price|age|population|percentage|number|amount|total|value|size|speed|length|height|weight|toll|tally|margin"
_DATE_NOUNS = r"date|day|year|month|week|time|decade|century"
OF_THESE = r"of (?:these|those|the following)"
_MEASURED = (
    r"\bhow (many|much|long|old|far|big|high|tall|often)\b"
    r"|\bwhat (percentage|percent|share|number|amount|proportion|price|age)\b"
    rf"|\bwhat (?:is|was|are|were) (?:the|its|their|his|her) (?:\w+ )?({_MEASURE_NOUNS})\b"
)


@dataclass(frozen=True)
class QuestionForm:
    """A way of asking for `kind`: `pattern` is found in the asking clause (lowercased), and so
    is `also` when given, and `unless` is not."""

    kind: AnswerType
    pattern: re.Pattern[str]
    also: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None

    def asks(self, clause: str) -> bool:
        return (self.pattern.search(clause) is not None
                and (self.also is None or self.also.search(clause) is not None)
                and (self.unless is None or self.unless.search(clause) is None))


def _form(kind: AnswerType, pattern: str, also: str | None = None, unless: str | None = None,
          flags: int = 0) -> QuestionForm:
    return QuestionForm(kind, re.compile(pattern, flags), re.compile(also) if also else None,
                        re.compile(unless) if unless else None)


# The forms in the order they are tried: the first that asks gives the kind, else `DEFAULT_KIND`.
QUESTION_FORMS = (
    _form(AnswerType.CONTINUATION, r"(?<!\bexcept)(?::|…|\.\.\.)$"),  # a quiz's fill-in ending ("...rose to:")
    _form(AnswerType.DATE, rf"^(when|what time|since when)\b|\b(what|which|on what)\s+({_DATE_NOUNS})\b"),
    _form(AnswerType.YESNO, r"^true or false\b"),
    _form(AnswerType.QUANTITY, _MEASURED, also=r"\bhow (much|long|far|big|high|tall)\b|\bprice|amount"),
    _form(AnswerType.NUMBER, _MEASURED),
    _form(AnswerType.REASON, r"^(why|for what reason)\b|\bwhat (caused|led to|prompted)\b"),
    _form(AnswerType.PLACE,
          rf"^(where)\b|\b(which|what|in which|in what)\s+(?:{OF_THESE}\s+)?(\w+\s+)?({_PLACE_NOUNS})\b"),
    _form(AnswerType.PERSON, r"^(?:(?:to|for|by|with|from) )?(who|whom|whose)\b"
          rf"|\b(which|what)\s+(?:{OF_THESE}\s+)?(\w+\s+)?({_PERSON_NOUNS})s?\b"),
    _form(AnswerType.ORGANIZATION, rf"\b(which|what)\s+(?:{OF_THESE}\s+)?(\w+\s+)?({_ORG_NOUNS})\b"),
    _form(AnswerType.YESNO, r"^(is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b",
          flags=re.I),
    _form(AnswerType.ENTITY, r"\b(which|what)\s+\w+",
          unless=r"\bwhat (did|does|do|is|was|were|are|has|have|will|would)\b"),
    _form(AnswerType.ENTITY, r"\bwhat (is|was|are|were)\b.*\bcalled\b|\bname of\b|\bwhat is the name\b"),
)
DEFAULT_KIND = AnswerType.DESCRIPTION


def asked_kind(asking: str) -> AnswerType:
    """The kind of answer the asking clause of a question asks for."""
    clause = asking.lower().strip()
    return next((form.kind for form in QUESTION_FORMS if form.asks(clause)), DEFAULT_KIND)
