"""Candidate short answers: every span of the sentences read that could answer the question,
wherever it comes from (spaCy's named entities and noun phrases, stored with each chunk at
ingest; the hand-written span rules), gathered by what it says, with each place it is said."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.extractive.reading import Sentence
from bot.extractive.spans import candidates
from language.dates import calendar_spans
from language.gazetteer import person_name
from language.kinds import KINDS, AnswerType, Form
from language.question import QuestionInfo
from language.terms import content_terms

# What a noun phrase may start with that is not part of the answer ("the oat milk").
_DETERMINERS = re.compile(
    r"^(?:the|a|an|this|that|these|those|his|her|its|their|our|my|your|some|any|each|every|another)\s+",
    re.IGNORECASE,
)
_EDGES = "\"'“”‘’()[],.;:!?-–— "


@dataclass(frozen=True)
class Mention:
    """One place a candidate is written: offsets inside its sentence, where it came from, and
    spaCy's entity label when an entity."""

    sentence: Sentence
    rank: int  # the sentence's rank among those read (0: best evidence)
    start: int
    end: int
    source: str  # "entity", "phrase" or "rule"
    label: str = ""


@dataclass
class Candidate:
    key: str  # what it says, normalised: its mentions across sentences and articles gather here
    text: str  # the answer as shown: from its best sentence
    mentions: list[Mention] = field(default_factory=list)

    @property
    def best(self) -> Mention:
        return min(self.mentions, key=lambda m: m.rank)


def key_of(text: str) -> str:
    return " ".join(sorted(content_terms(text))) or text.lower().strip()


def answer_text(text: str, kind: AnswerType) -> str:
    """The span as an answer: no leading article or possessive, no surrounding punctuation; a
    person without their title."""
    text = _DETERMINERS.sub("", text.strip(_EDGES)).strip(_EDGES)
    if KINDS[kind].answer is Form.PERSON:
        text = person_name(text)
    return text


def gather(info: QuestionInfo, sentences: Sequence[Sentence]) -> list[Candidate]:
    """The candidates of `sentences` (best first), in order of first appearance. A span made only
    of the question's own words, or a day of a calendar date for a count, is not one."""
    found: dict[str, Candidate] = {}
    for rank, sentence in enumerate(sentences):
        for mention in _mentions(info, sentence, rank):
            raw = sentence.text[mention.start : mention.end]
            text = answer_text(raw, info.kind)
            terms = content_terms(text)
            if not text or not terms or terms <= info.terms or len(text) >= len(sentence.text.strip(_EDGES)):
                continue
            key = key_of(text)
            found.setdefault(key, Candidate(key, text)).mentions.append(mention)  # best sentence first
    return list(found.values())


def _last_two_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A person's name without what the tagger took along in front ("Curator Ana Ruiz" -> "Ana
    Ruiz"): the last two words of a longer span, when all its words are capitalised."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) < 3 or not all(w.group()[:1].isupper() for w in words):
        return None
    return start + words[-2].start(), end


def _mentions(info: QuestionInfo, sentence: Sentence, rank: int) -> list[Mention]:
    passage, base = sentence.passage, sentence.start
    inside = [(a, b, label) for a, b, label in passage.entities if sentence.start <= a and b <= sentence.end]
    out = [Mention(sentence, rank, a - base, b - base, "entity", label) for a, b, label in inside]
    out += [Mention(sentence, rank, a - base, b - base, "phrase")
            for a, b in passage.phrases if sentence.start <= a and b <= sentence.end]
    form = KINDS[info.kind].answer
    if form is Form.PERSON:
        out += [Mention(sentence, rank, *name, m.source)
                for m in list(out) for name in [_last_two_words(sentence.text, m.start, m.end)] if name]
    out += [Mention(sentence, rank, c.start, c.end, "rule")
            for c in candidates(sentence.text, info.kind, info.terms, phrases=True)]
    if form is Form.NUMBER:  # "September 21" is a day, not 21 of anything
        dates = calendar_spans(sentence.text)
        out = [m for m in out if not any(a <= m.start < b for a, b in dates)]
    return out
