"""What a question asks for: a date, a person, a place, a number... (the kinds of answer are in
`language.kinds`) and the words it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass

from language.kinds import OF_THESE, AnswerType, asked_kind
from language.terms import content_terms

_WH = re.compile(r"\b(who|whom|whose|what|when|where|which|why|how)\b", re.I)
_CLAUSES = re.compile(r"(?<=[.?!:])\s+(?=[A-Z\"“‘'])")
# Words after "which"/"what" that end the phrase naming what is asked for ("which show WAS...").
_FOCUS_STOP = frozenset(
    "is was are were did does do has have had will would could can should may might to for from in on "
    "at by with that who whose when where after before during since as than this these those it its "
    "he she they his her their about into over under between against".split()
)


# Symbols a question may start with (quote markers, bullets, Slack's <!channel>) say nothing.
_LEADING_SYMBOLS = re.compile(r"^(?:<[^>]*>|[^\w\s]+|\s+)+")
# Words that lead into a question word and belong to the question: "In which...", "For what...".
_LEADS_IN = frozenset(
    "in on at for to from by with of since until about after before during under over into and or "
    "according".split()
)
_MAX_NOISE_WORDS = 4


def asking_clause(question: str) -> str:
    """The part of a question that asks: quizzes set the scene first ("X happened this week.
    Who was...?"). The last clause with a question word, else the last clause; without words
    in front of its question word that do not lead into it ("bold it When did...")."""
    question = _LEADING_SYMBOLS.sub("", question)
    if re.match(r"^\s*true or false\b", question, re.I):
        return question
    clauses = [c for c in _CLAUSES.split(question.strip()) if c.strip()] or [question]
    asking = [c for c in clauses if _WH.search(c)]
    return _without_noise((asking or clauses)[-1])


def _without_noise(clause: str) -> str:
    """A question word that starts anew mid-clause (capitalised, or after a colon or dash) after
    a few words that do not lead into it: those words are noise. A lowercase one after other
    words is a relative pronoun ("Kwanzaa, the holiday when...") and stays."""
    first = _WH.search(clause)
    if first is None or first.start() == 0:
        return clause
    before = clause[: first.start()].split()
    fresh = first.group()[0].isupper() or before[-1][-1] in ":-–—"
    if not fresh or len(before) > _MAX_NOISE_WORDS or before[-1].lower().strip(",:") in _LEADS_IN:
        return clause
    return clause[first.start():]


def focus_phrase(question: str) -> str:
    """What a "which/what X" question names as the kind of its answer: "which long-running crime
    show was..." -> "long-running crime show", "how many members of..." -> "members of..."; "" when the
    question does not name one."""
    m = re.search(r"\b(?:which|what|how many)\s+(?:(?:one|ones|of)\s+)?(?:(?:these|those|the following)\s+)?(.*)", question, re.I)
    if not m:
        return ""
    words: list[str] = []
    for token in re.findall(r"[\w’'-]+|[^\w\s]", m.group(1)):
        low = token.lower()
        if not re.match(r"[\w’'-]+$", token) or low in _FOCUS_STOP or len(words) == 4:
            break
        if words and low.endswith("ed") and words[-1].lower() != "of":  # "which countries joined"
            break
        words.append(token)
    while words and words[-1].lower() == "of":
        words.pop()
    words = words[2:] if [w.lower() for w in words[:2]] in (["type", "of"], ["kind", "of"], ["sort", "of"]) else words
    return " ".join(words)


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    kind: AnswerType
    terms: frozenset[str]
    negated: bool  # "which is NOT ...", "... except:" - the answer is the one without support
    focus: str = ""  # "which long-running crime show...": "long-running crime show"
    past: bool = False  # asks about something that happened ("when did..."), not what is to come
    asking: str = ""  # the clause that asks (see `asking_clause`)
    # What the answer must look like, beyond its kind:
    several: bool = False  # "which two countries": names joined by "and"
    share: bool = False  # "what percentage": a share, not a count
    money: bool = False  # "how much did it cost": an amount of money
    years: bool = False  # the question speaks of years: a bare year may be a count
    city: bool = False  # "which city": not a country


# "Which of these people WAS NOT...", "which one of these was she not...", "all of these... except:":
# the choice the archive does not support is the answer. A negation that is part of the fact asked
# about ("regrets not selling the stadium", "has said they will not attend") is not one of these.
_AMONG = rf"\b(?:{OF_THESE}|all these)\b(?:\s+[\w’'-]+){{0,3}}?"
_NOT = r"(?:is|was|are|were|did|does|do|has|have|had)(?:n[’']t\b|(?:\s+(?:he|she|they|it|we))?\s+(?:not|never)\b)"
_NEGATED = re.compile(rf"\bexcept\b|{_AMONG}\s+{_NOT}|\b(?:is|was|are|were) not one of\b", re.I)
_PAST = re.compile(r"\b(did|was|were|had)\b", re.I)
_SEVERAL = re.compile(r"\b(?:which|what|the) (?:two|three|four)\b", re.I)
_SHARE = re.compile(r"\b(percentage|percent|per cent|proportion|share)\b|%", re.I)
_MONEY = re.compile(
    r"\bhow much\b.*\b(cost|costs|pay|paid|raise|raised|spend|spent|worth|price|fund|funding|sold|"
    r"bid|fine|fined|budget|earn|earned|owe|owed|donate|donated)\b|\bhow much money\b", re.I
)
_YEARS = re.compile(r"\byears?\b", re.I)
_CITY = re.compile(r"\b(city|cities|town|towns|village)\b", re.I)


def analyse(question: str) -> QuestionInfo:
    """Everything the answerers need to know of a question, worked out once."""
    asking = asking_clause(question)
    return QuestionInfo(
        question, asked_kind(asking), frozenset(content_terms(question)), bool(_NEGATED.search(asking)),
        focus_phrase(asking), past=bool(_PAST.search(asking)), asking=asking,
        several=bool(_SEVERAL.search(question)), share=bool(_SHARE.search(question)),
        money=bool(_MONEY.search(question)), years=bool(_YEARS.search(question)),
        city=bool(_CITY.search(question)),
    )
