"""Follow-up questions in a conversation, made self-contained for the answerer.

"When did protests reach Almaty?" then "what about Aktau?" becomes "When did protests reach
Aktau?": the last named thing of the earlier question is swapped for the new subject. A follow-up
that leans on a pronoun ("why did they protest?") gets the earlier question's names appended,
which steers retrieval to the same story. Anything else is already a question of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """One exchange: the self-contained question that was answered, and the answer (None: abstained)."""

    question: str
    answer: str | None


_ELLIPTICAL = re.compile(
    r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<subject>.+?)[\s?.!]*$|^\s*and\s+(?P<bare>[^?]+?)\s*\?[\s?]*$",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(?:it|its|they|them|their|there|that|this|those|these|he|she|him|her|his)\b",
                      re.IGNORECASE)
_NAME = re.compile(r"(?<![\w’'])[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")
_LEADING_PREPOSITION = re.compile(r"^(?:in|at|on|for|to|from|of|with)\s+", re.IGNORECASE)
_QUESTION_WORDS = frozenset({
    "who", "whom", "whose", "what", "when", "where", "why", "how", "which", "is", "are", "was",
    "were", "do", "does", "did", "can", "could", "will", "would", "should", "has", "have", "had",
})


def resolve(text: str, previous: Turn | None) -> str:
    """The question to ask the answerer for `text`, said after `previous` in the same conversation."""
    text = " ".join(text.split())
    if previous is None:
        return text
    subject = elliptical_subject(text)
    if subject:
        return _swap_subject(previous.question, subject)
    if _PRONOUN.search(text):
        names = [n for n in _names(previous.question) if n.lower() not in text.lower()]
        if names:
            return f"{text} ({', '.join(names)})"
    return text


def elliptical_subject(text: str) -> str | None:
    """'Aktau' for "what about Aktau?", "how about Aktau", "and Aktau?"; None for other text."""
    match = _ELLIPTICAL.match(text)
    if not match:
        return None
    subject = (match.group("subject") or match.group("bare") or "").strip()
    return subject or None


def looks_like_question(text: str) -> bool:
    """Whether a message in a followed thread is meant for the bot, not chatter like "thanks!"."""
    words = text.strip().lower().split()
    return "?" in text or bool(words and words[0] in _QUESTION_WORDS) or elliptical_subject(text) is not None


def _names(question: str) -> list[str]:
    """Capitalised runs after the first word (the first is capitalised anyway)."""
    return list(dict.fromkeys(m.group(0) for m in _NAME.finditer(question) if m.start() > 0))


def _swap_subject(question: str, subject: str) -> str:
    subject = _LEADING_PREPOSITION.sub("", subject)
    names = [m for m in _NAME.finditer(question) if m.start() > 0]
    if not names:
        return f"{question.rstrip()} ({subject})"
    last = names[-1]
    return question[: last.start()] + subject + question[last.end():]
