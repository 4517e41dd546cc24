"""The default answerer: no LLM, no API key. Picks the best-supported sentence and quotes it exactly."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np

from bot import messages
from bot.answer import Answer, Citation
from index.embedder import Embedder
from index.errors import UserInputError
from index.models import Passage
from index.retrieval import Retriever
from index.settings import AnswerSettings

_TOKEN = re.compile(r"[\w’']+")
_STOPWORDS = frozenset(
    "a an and are as at be by did do does for from has have how in is it its of on or the this that "
    "to was were what when where which who whom whose why will with".split()
)


class Answerer(Protocol):
    def ask(self, question: str, as_of: date | None = None, choices: Sequence[str] = ()) -> Answer: ...


def check_question(question: str, max_chars: int) -> str:
    cleaned = " ".join(question.split())
    if not cleaned:
        raise UserInputError(messages.EMPTY_QUESTION)
    if len(cleaned) > max_chars:
        raise UserInputError(messages.QUESTION_TOO_LONG.format(length=len(cleaned), limit=max_chars))
    return cleaned


def content_terms(text: str) -> set[str]:
    return {_stem(t) for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS}


def _stem(token: str) -> str:
    token = token.replace("’", "'").removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s"):
        if len(token) > len(suffix) + 3 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


@dataclass(frozen=True)
class _Candidate:
    passage: Passage
    start: int
    end: int
    text: str


class ExtractiveAnswerer:
    def __init__(self, retriever: Retriever, embedder: Embedder, settings: AnswerSettings) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self.settings = settings

    def ask(self, question: str, as_of: date | None = None, choices: Sequence[str] = ()) -> Answer:
        question = check_question(question, self.settings.max_question_chars)
        passages = self.retriever.search(question, self.settings.passages, as_of)
        retrieved = list(dict.fromkeys(p.article_id for p in passages))
        candidates = _candidates(passages)
        if not candidates:
            return Answer(question, None, [], as_of=as_of, retrieved=retrieved)
        vectors = self.embedder.embed([question] + [c.text for c in candidates])
        similarity = vectors[1:] @ vectors[0]
        terms = content_terms(question)
        scores = np.array([
            0.5 * float(sim) + 0.3 * c.passage.score + 0.2 * _overlap(terms, c.text)
            for sim, c in zip(similarity, candidates)
        ])
        best = int(np.argmax(scores))
        score = float(scores[best])
        if score < self.settings.min_score:
            return Answer(question, None, [], as_of=as_of, score=score, retrieved=retrieved)
        chosen = candidates[best]
        citations = [Citation.from_passage(chosen.passage, chosen.start, chosen.end, score)]
        return Answer(
            question, chosen.text, citations, as_of=as_of, sentence=chosen.text, score=score,
            retrieved=retrieved,
        )


def _overlap(terms: set[str], text: str) -> float:
    return len(terms & content_terms(text)) / len(terms) if terms else 0.0


def _candidates(passages: Sequence[Passage]) -> list[_Candidate]:
    seen: set[tuple[str, int, int]] = set()
    out: list[_Candidate] = []
    for passage in passages:
        spans = passage.sentences or ((passage.start, passage.end),)
        for start, end in spans:
            key = (passage.article_id, start, end)
            if key in seen or not passage.start <= start < end <= passage.end:
                continue
            seen.add(key)
            out.append(_Candidate(passage, start, end, passage.text[start - passage.start : end - passage.start]))
    return out
