"""The shape of answer a question asks for: one fact (a factoid: who, when, where, how many,
which one), or a composed answer of several quoted points (an overview, a timeline, the latest
news, the reasons why, a list of the things asked for).

`asked_shape` reads it from the question's words alone: no model, so the query path stays free
of torch and spaCy.
"""

from __future__ import annotations

from enum import StrEnum


class Shape(StrEnum):
    FACTOID = "factoid"  # one fact: today's short answer with its quote
    OVERVIEW = "overview"  # "what happened", "tell me about", "summarize"
    TIMELINE = "timeline"  # "timeline of", "walk me through", "how did X unfold"
    LATEST = "latest"  # "latest on", "any news on", "where does X stand"
    WHY = "why"  # "why did X", "how did X manage": the reasons, in sentences
    LIST = "list"  # "which cities...", "what did X reveal": every member asked for

    @property
    def composed(self) -> bool:
        """Answered with several points rather than one short answer."""
        return self is not Shape.FACTOID


def asked_shape(question: str) -> Shape:
    """The shape of answer `question` asks for (FACTOID until the shape rules land)."""
    return Shape.FACTOID
