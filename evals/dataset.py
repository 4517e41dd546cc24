"""What every dataset becomes: a list of questions with their gold answers and evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any


class Mode(StrEnum):
    open = "open"  # free-text answers, scored against the gold answer text
    choices = "choices"  # the answerer picks one of the given choices (or abstains)


@dataclass(frozen=True)
class EvalQuestion:
    """One question with everything needed to score an answer to it."""

    id: str
    question: str
    answers: tuple[str, ...]  # accepted answers; empty when the archive cannot answer
    answerable: bool
    type: str
    as_of: date | None = None  # ask as of this date: later articles must not be used
    evidence_ids: tuple[str, ...] = ()  # article ids of the gold evidence, when known
    evidence_quotes: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    answer_index: int | None = None  # index of the correct choice
    source: str | None = None  # who wrote the question (kits: the quiz publisher)
    # False for questions that cannot be scored as free text (RealTimeQA's "... except:").
    generation_scored: bool = True

    def gold_json(self) -> dict[str, Any]:
        return {
            "answers": list(self.answers),
            "answerable": self.answerable,
            "answer_index": self.answer_index,
            "evidence_ids": list(self.evidence_ids),
        }


@dataclass(frozen=True)
class KeyFact:
    """A fact a good descriptive answer shows: covered when one of `accept` (short strings written
    in one of its articles) appears in what the reader sees."""

    fact: str
    accept: tuple[str, ...]
    article_ids: tuple[str, ...]  # the articles that state it
    date: date | None = None  # the day of the event, for facts a timeline orders


@dataclass(frozen=True)
class DescriptiveQuestion:
    """A question answered with several points (an overview, a timeline, the latest, why, a list),
    scored by the key facts its answer shows."""

    id: str
    question: str
    as_of: date
    shape: str  # language.shapes.Shape: the shape of answer the question asks for
    key_facts: tuple[KeyFact, ...]
    story_article_ids: tuple[str, ...] = ()  # the story's articles, when the set lists them

    @property
    def story(self) -> frozenset[str]:
        """The articles of the question's story: those listed, else those its key facts come from."""
        if self.story_article_ids:
            return frozenset(self.story_article_ids)
        return frozenset(a for fact in self.key_facts for a in fact.article_ids)


@dataclass(frozen=True)
class Dataset:
    """Questions plus where their answers live.

    `corpus` is what to index for this dataset (a kit's corpus file, or article files for a
    gold set); None means "ask the data directory's own archive". A descriptive set (kind
    "descriptive") has its questions in `descriptive`, and no `questions`.
    """

    name: str
    kind: str  # "gold", "kit" or "descriptive"
    path: Path
    questions: list[EvalQuestion]
    corpus: list[Path] | None = None
    baselines: dict[str, Any] | None = None  # published results: {setting: {task: {...}}}
    descriptive: list[DescriptiveQuestion] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.descriptive) if self.kind == "descriptive" else len(self.questions)


_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("how_many", re.compile(r"\bhow (many|much)\b|\bwhat (number|percentage|share)\b")),
    ("when", re.compile(r"\bwhen\b|\bwhat (year|date|day|month)\b|\bwhich (year|date|day|month)\b")),
    ("who", re.compile(r"\bwho(m|se)?\b|\bwhich (person|company|team|group|organi[sz]ation)\b")),
    ("where", re.compile(r"\bwhere\b|\bwhich (country|city|state|region|continent|nation)\b")),
    ("why", re.compile(r"\bwhy\b")),
)


def guess_type(question: str) -> str:
    """A rough question type from its wording, for datasets that do not label types."""
    text = question.lower()
    for name, pattern in _TYPE_PATTERNS:
        if pattern.search(text):
            return name
    return "what"


def is_except_question(question: str) -> bool:
    """RealTimeQA leaves "... all of these except:" questions out of free-text scoring.

    Same test as its scorer: "except" within the last ten characters.
    """
    return "except" in question.lower().strip()[-10:]
