"""How well a candidate span's form fits what the question asks for (a person's name for "who",
a percentage for "what share"...): the form of a right answer is the kind's row in
`language.kinds.KINDS`. Question-side facts come precomputed in `QuestionInfo`."""

from __future__ import annotations

import re

from bot.extractive import tuning
from language.gazetteer import (
    is_country_or_state,
    is_organization,
    is_place,
    looks_like_person,
)
from language.kinds import KINDS, Form
from language.question import QuestionInfo
from language.terms import content_terms

_MONEY = re.compile(r"[$£€¥]|\b(dollars?|pounds?|euros?|yen|bn|billion|million|trillion)\b", re.I)
_SHARE = re.compile(r"%|\bper ?cent")
_AND = re.compile(r"\s+(?:and|&)\s+")


def type_fit(info: QuestionInfo, text: str, quoted: bool = False) -> float:
    """Above 1 for a span that clearly is what is asked for, 1 for a plausible one, below
    `tuning.MIN_TYPE_FIT` for one of the wrong kind."""
    if KINDS[info.kind].named and info.several:  # "which two countries...?"
        parts = _AND.split(text)
        if len(parts) == 1:
            return tuning.ONE_OF_SEVERAL_FIT * _form_fit(info, text, quoted)
        return min(_form_fit(info, part, quoted) for part in parts)
    return _form_fit(info, text, quoted)


def is_name(text: str) -> bool:
    return any(c.isupper() or c.isdigit() for c in text)


def _form_fit(info: QuestionInfo, text: str, quoted: bool) -> float:
    form = KINDS[info.kind].answer
    if form is Form.NUMBER:
        # "How many members...": "353 members" counts the right thing.
        counted = {t for t in content_terms(text) if not t[:1].isdigit()} & info.terms
        fit = tuning.COUNTED_FIT if counted else 1.0
        if info.share and not _SHARE.search(text):
            fit *= tuning.WRONG_MEASURE_FIT  # "what percentage...?" is not answered by a count
        elif info.money and not _MONEY.search(text):
            fit *= tuning.NOT_MONEY_FIT
        if re.fullmatch(r"(19|20)\d\d", text) and not info.years:
            fit *= tuning.BARE_YEAR_FIT  # a bare year is rarely a count
        return fit
    if form is Form.PERSON:
        if is_organization(text) or is_place(text) or text.isupper():  # "TV", "CNN" are not people
            return tuning.NOT_A_PERSON_FIT
        return 1.0 if looks_like_person(text) else tuning.MAYBE_PERSON_FIT
    if form is Form.PLACE:
        if is_place(text):
            # A country is not the answer to "which city?", nor a city to "which country?".
            return tuning.WRONG_MEASURE_FIT if info.city and is_country_or_state(text) else 1.0
        return tuning.NOT_A_PLACE_FIT if is_organization(text) or looks_like_person(text) else tuning.MAYBE_PLACE_FIT
    if form is Form.ORGANIZATION:
        if is_organization(text):
            return 1.0
        return tuning.PLACE_FOR_ORG_FIT if is_place(text) else tuning.MAYBE_ORG_FIT
    if form is Form.NAME:
        if quoted:
            return tuning.QUOTED_FIT
        return 1.0 if is_name(text) else tuning.PHRASE_FIT
    return 1.0


def asks_for_a_thing(info: QuestionInfo, phrases: bool = False) -> bool:
    """"Which bird / which show / what product": the answer is a thing the question names.
    With `phrases`: one that may well be ordinary words (not an organisation or a place)."""
    forms = (Form.NAME,) if phrases else (Form.NAME, Form.ORGANIZATION, Form.PLACE)
    return KINDS[info.kind].answer in forms and bool(info.focus)
