"""Reading for a question, the first of the extractive answerer's three steps (read, pick,
compose): the passages retrieved, the sentences of the best of them scored as evidence, and, in
choices mode, what a search for each choice by name finds. Text addressed to machines is never
evidence (`bot.evidence`). Picking (bot/extractive/pickers.py) searches nothing more.

A sentence of a passage read (`Sentence`) carries its evidence score: meaning, shared words and the
passage's own score and rank (`score_sentences`). The composer reads sentences the same way
(bot/compose/material.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.answer import Citation
from bot.evidence import without_addressed
from bot.extractive import tuning
from bot.query import Query
from index.encoders.embedder import Embedder
from index.models import Passage
from index.retrieval import Retriever
from language.question import QuestionInfo
from language.terms import content_terms


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage, with absolute offsets into its article's text."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float = 0.0

    def citation(self) -> Citation:
        return Citation.from_passage(self.passage, self.start, self.end, self.score)


def split_passages(passages: Sequence[Passage]) -> list[Sentence]:
    """Every sentence of the passages once, in order (overlapping passages share sentences)."""
    seen: set[tuple[str, int, int]] = set()
    out: list[Sentence] = []
    for passage in passages:
        for start, end in passage.sentences or ((passage.start, passage.end),):
            key = (passage.article_id, start, end)
            if key in seen or not passage.start <= start < end <= passage.end:
                continue
            seen.add(key)
            out.append(Sentence(passage, start, end, passage.text[start - passage.start : end - passage.start]))
    return out


def overlap(terms: frozenset[str], text: str) -> float:
    """The share of the question's content words that `text` uses."""
    return len(terms & content_terms(text)) / len(terms) if terms else 0.0


def score_sentences(info: QuestionInfo, sentences: list[Sentence], reader: Embedder) -> list[Sentence]:
    """Sentences by evidence score, best first: meaning (cosine), shared words, and the passage's
    similarity and rank. Only the most promising by words and rank are embedded: the encoder is
    the slow part of answering on a CPU."""
    if not sentences:
        return []
    top_relevance = max(s.passage.relevance for s in sentences) or 1.0
    sentences = sorted(
        sentences,
        key=lambda s: overlap(info.terms, s.text) + tuning.PREFILTER_RANK * s.passage.relevance / top_relevance,
        reverse=True,
    )[: tuning.SENTENCES_EMBEDDED]
    vectors = reader.embed([info.text] + [s.text for s in sentences])
    similarity = vectors[1:] @ vectors[0]
    scored = [
        Sentence(s.passage, s.start, s.end, s.text, float(
            tuning.SCORE_MEANING * float(sim)
            + tuning.SCORE_WORDS * overlap(info.terms, s.text)
            + tuning.SCORE_PASSAGE * s.passage.score
            + tuning.SCORE_RANK * s.passage.relevance / top_relevance
        ))
        for sim, s in zip(similarity, sentences)
    ]
    return sorted(scored, key=lambda s: s.score, reverse=True)


@dataclass(frozen=True)
class Reading:
    """What the answerer read for a question: the passages retrieved (their articles, in order),
    the sentences of the best of them, scored as evidence, best first, and for each choice the
    sentences a search by its name found."""

    passages: list[Passage]
    retrieved: list[str]
    sentences: list[Sentence]
    named: Mapping[str, list[Sentence]] = field(default_factory=dict)

    @property
    def best_score(self) -> float:
        """The best sentence's evidence score (0 when nothing was read)."""
        return self.sentences[0].score if self.sentences else 0.0


def reading_for(query: Query, retriever: Retriever, encoder: Embedder, passages: int) -> Reading:
    """The passages retrieved for `query`, and the sentences of the best `passages` of them by
    evidence score; with choices (and something read), a keyword search for each choice too."""
    found = retriever.search(query, max(tuning.RETRIEVED, passages))
    kept = without_addressed(found)
    read = split_passages(kept[:passages])
    sentences = score_sentences(query.info, read, encoder)
    named = {
        c: split_passages(without_addressed(retriever.keyword_search(
            replace(query, text=f"{query.text} {c}"), tuning.CHOICE_PASSAGES)))
        for c in query.choices if c.strip() and sentences
    }
    return Reading(kept, list(dict.fromkeys(p.article_id for p in found)), sentences, named)
