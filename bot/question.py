"""What a question asks for: a date, a person, a place, a number... and the words it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.extractive_terms import content_terms


class AnswerType(str, Enum):
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


_PLACE_NOUNS = r"country|countries|city|cities|state|states|nation|continent|region|province|island|town|county|capital|place|location|area|areas|neighborhood|territory|village|border|port|site|venue"
_PERSON_NOUNS = r"person|man|woman|player|actor|actress|singer|rapper|president|leader|minister|official|author|star|athlete|ceo|founder|artist|musician|director|judge|senator|governor|candidate|king|queen|prince|princess|pope|celebrity|comedian|host|coach|lawmaker|executive|billionaire|journalist|politician|member"
_ORG_NOUNS = r"company|companies|organization|organisation|agency|party|team|group|firm|airline|brand|network|retailer|bank|university|school|club|union|league|automaker|carmaker|chain|restaurant|store|outlet|publisher|studio|department|court|committee|institution|manufacturer|giant|startup|business|corporation|government|nonprofit"
_DATE_NOUNS = r"date|day|year|month|week|time|decade|century"

_YESNO_START = re.compile(r"^(is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b", re.I)


def answer_type(question: str) -> AnswerType:
    q = question.lower().strip()
    if re.match(r"^(when|what time|since when)\b", q) or re.search(rf"\b(what|which|on what)\s+({_DATE_NOUNS})\b", q):
        return AnswerType.DATE
    if re.search(r"\bhow (many|much|long|old|far|big|high|tall|often)\b|\bwhat (percentage|percent|share|number|amount|proportion|price|age)\b", q):
        return AnswerType.QUANTITY if re.search(r"\bhow (much|long|far|big|high|tall)\b|\bprice|amount", q) else AnswerType.NUMBER
    if re.match(r"^(why|for what reason)\b", q) or re.search(r"\bwhat (caused|led to|prompted)\b", q):
        return AnswerType.REASON
    if re.match(r"^(where)\b", q) or re.search(rf"\b(which|what|in which|in what)\s+(\w+\s+)?({_PLACE_NOUNS})\b", q):
        return AnswerType.PLACE
    if re.match(r"^(who|whom|whose)\b", q) or re.search(rf"\b(which|what)\s+(\w+\s+)?({_PERSON_NOUNS})s?\b", q):
        return AnswerType.PERSON
    if re.search(rf"\b(which|what)\s+(\w+\s+)?({_ORG_NOUNS})\b", q):
        return AnswerType.ORGANIZATION
    if _YESNO_START.match(q):
        return AnswerType.YESNO
    if re.search(r"\b(which|what)\s+\w+", q) and not re.search(r"\bwhat (did|does|do|is|was|were|are|has|have|will|would)\b", q):
        return AnswerType.ENTITY
    if re.search(r"\bwhat (is|was|are|were)\b.*\bcalled\b|\bname of\b|\bwhat is the name\b", q):
        return AnswerType.ENTITY
    return AnswerType.DESCRIPTION


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    kind: AnswerType
    terms: frozenset[str]
    negated: bool  # "which is NOT ...", "... except:" - the answer is the one without support


def analyse(question: str) -> QuestionInfo:
    q = question.lower()
    negated = bool(re.search(r"\b(not|except|isn't|wasn't|aren't|weren't|doesn't|didn't|never)\b", q))
    return QuestionInfo(question, answer_type(question), frozenset(content_terms(question)), negated)
