"""What the scorer compares, where quiz keys and a person's answer differ only in form.

RealTimeQA's keys answer "how many X" with the number alone ("41"), where newsdesk tells a
person "41 stores". Cutting the unit pleases the scorer, not the reader, so it happens here, in
evals, on the way to exact match and F1; what a user sees keeps the unit.
"""

from __future__ import annotations

from bot.extractive.spans import NUMBER
from language.kinds import AnswerType
from language.question import analyse
from language.terms import content_terms

_TIME_UNITS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years", "decad"})


def bare_count(text: str) -> str:
    """ "41 stores" -> "41", "12,500 members" -> "12,500"; spans of time keep their unit
    ("two days"), and so do amounts ("$5.2 billion", "38%")."""
    if NUMBER.fullmatch(text):
        return text
    number, _, unit = text.partition(" ")
    if not unit and "-" in text and not text[:1].isdigit():
        number, _, unit = text.partition("-")
    if unit and not content_terms(unit) & _TIME_UNITS and NUMBER.fullmatch(number):
        return number
    return text


def scoring_form(prediction: str, question: str) -> str:
    """The prediction as the quiz key would write it: a bare count for "how many" questions."""
    return bare_count(prediction) if analyse(question).kind is AnswerType.NUMBER else prediction
