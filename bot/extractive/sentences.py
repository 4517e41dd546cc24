"""Sentences of retrieved passages and their evidence scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer import Citation
from bot.extractive import tuning
from index.encoders.embedder import Embedder
from index.models import Passage
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
