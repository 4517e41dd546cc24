"""Reading for a question, the first of the extractive answerer's three steps (read, pick,
compose): the passages retrieved, the sentences of the best of them scored as evidence, and, in
choices mode, what a search for each choice by name finds. Text addressed to machines is never
evidence (`bot.evidence`). Picking (bot/extractive/pickers.py) searches nothing more."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.evidence import without_addressed
from bot.extractive import tuning
from bot.extractive.sentences import Sentence, score_sentences, split_passages
from bot.query import Query
from index.encoders.embedder import Embedder
from index.models import Passage
from index.retrieval import Retriever


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
            query.narrowed(f"{query.text} {c}"), tuning.CHOICE_PASSAGES)))
        for c in query.choices if c.strip() and sentences
    }
    return Reading(kept, list(dict.fromkeys(p.article_id for p in found)), sentences, named)
