"""A question as the rest of the house sees it: read once, at the edge.

The CLI, the Slack bot and the eval runner turn user input into one immutable `Query`: the
cleaned text, the date it is asked as of (`--as-of`, a kit's question date, or today: resolved
there and nowhere else), the time window it points at, what it asks for, and the shape of answer
it asks for (one fact, or an overview, a timeline... of quoted points: `language.shapes`).
Retrieval and both answerers take it and never re-derive any of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot import messages
from index.errors import UserInputError
from language.question import QuestionInfo, analyse
from language.shapes import Shape, asked_shape
from language.timeframe import TimeFrame, question_timeframe


@dataclass(frozen=True)
class Query:
    text: str  # whitespace collapsed
    as_of: date  # nothing published (or, if undated, received) later is used
    frame: TimeFrame  # the window the question points at, or the recent past
    info: QuestionInfo  # what it asks for: type, focus, negation, content words
    choices: tuple[str, ...] = ()  # multiple-choice mode: pick one of these
    shape: Shape = Shape.FACTOID  # the shape of answer asked for (always a factoid with choices)


def check_question(question: str, max_chars: int) -> str:
    cleaned = " ".join(question.split())
    if not cleaned:
        raise UserInputError(messages.EMPTY_QUESTION)
    if len(cleaned) > max_chars:
        raise UserInputError(messages.QUESTION_TOO_LONG.format(length=len(cleaned), limit=max_chars))
    return cleaned


def build_query(question: str, as_of: date, max_chars: int, choices: Sequence[str] = (),
                shape: Shape | None = None) -> Query:
    """The shape is the one the question's words ask for unless `shape` is given; a question with
    choices picks one of them, a factoid. Raises UserInputError for an empty or over-long question,
    and for a shape other than a factoid asked with choices."""
    text = check_question(question, max_chars)
    if choices and shape not in (None, Shape.FACTOID):
        raise UserInputError(messages.SHAPE_WITH_CHOICES.format(shape=shape))
    chosen = Shape.FACTOID if choices else shape or asked_shape(text)
    return Query(text, as_of, question_timeframe(text, as_of), analyse(text), tuple(choices), chosen)


def composed(query: Query) -> bool:
    """Whether the query is answered with composed points (an overview, a timeline...), not one
    fact: any shape but a factoid, never with choices."""
    return query.shape.composed and not query.choices
