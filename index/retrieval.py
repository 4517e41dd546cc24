"""Question -> ranked passages: dense and BM25 results fused by reciprocal rank, with time as a signal.

Both sides run twice: over the whole archive up to the reference date, and over the window the
question points at (or the recent past), so that current coverage is not crowded out by older
articles that share the words. Nothing published after the reference date is ever returned.

`Retriever` is the seam the answerers see; a reranker is a `Reranker` stage composed around one
(`RerankedRetriever`), in the runtime, without touching the retrievers themselves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

from index.archive import Archive
from index.encoders.embedder import Embedder
from index.lexical import LexicalIndex
from index.models import Passage
from language.timeframe import TimeFrame

# Hand-set when hybrid retrieval was written (8dfac2f), checked on the dev kit (hit@10, MRR):
RRF_K = 60  # the usual reciprocal-rank-fusion constant (Cormack et al. 2009); not tuned
CANDIDATES = 40  # per ranked list: 2x the passages an answerer asks for
WINDOW_BONUS = 0.5  # relevance multiplier for passages inside an explicitly named window
RECENCY_BONUS = 0.35  # for recent passages, fading with age (half-life RECENCY_DAYS)
RECENCY_DAYS = 10.0
# Reranking stages choose from this many times the passages asked for (a stage that moves some
# back, like index.stories, still leaves k worth reading); costs nothing: the fused list is longer.
RERANK_POOL = 2


class SearchQuery(Protocol):
    """What retrieval needs of a question (`bot.query.Query` is one)."""

    @property
    def text(self) -> str: ...

    @property
    def as_of(self) -> date: ...

    @property
    def frame(self) -> TimeFrame: ...


class Retriever(Protocol):
    def search(self, query: SearchQuery, k: int) -> list[Passage]:
        """The k best passages for the question, best first, none available after `as_of`."""
        ...

    def keyword_search(self, query: SearchQuery, k: int) -> list[Passage]:
        """Where the archive names the query's words (a rare surname), up to `as_of`;
        `relevance` is the keyword score and time is left to the caller."""
        ...


class Reranker(Protocol):
    def rerank(self, query: SearchQuery, passages: list[Passage]) -> list[Passage]: ...


class RerankedRetriever:
    """A retriever followed by reranking stages, each seeing the previous one's order."""

    def __init__(self, inner: Retriever, stages: Sequence[Reranker]) -> None:
        self.inner = inner
        self.stages = list(stages)

    def search(self, query: SearchQuery, k: int) -> list[Passage]:
        passages = self.inner.search(query, k * RERANK_POOL)
        for stage in self.stages:
            passages = stage.rerank(query, passages)
        return passages[:k]

    def keyword_search(self, query: SearchQuery, k: int) -> list[Passage]:
        return self.inner.keyword_search(query, k)


class HybridRetriever:
    """Dense (Chroma) and lexical (BM25) retrieval fused. Without a lexical index it is
    dense-only (still date-aware)."""

    def __init__(self, store: Archive, embedder: Embedder, lexical: LexicalIndex | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical

    def search(self, query: SearchQuery, k: int) -> list[Passage]:
        question, reference, frame = query.text, query.as_of, query.frame
        vector = self.embedder.embed([question])[0]
        ranked: list[list[str]] = []
        found: dict[str, Passage] = {}

        for since in (None, frame.start):
            dense = self.store.query(vector, CANDIDATES, reference, since=since)
            ranked.append([p.chunk_id for p in dense])
            found.update((p.chunk_id, p) for p in dense)
        if self.lexical is not None:
            for since in (None, frame.start):
                hits = [cid for cid, _ in self.lexical.search(question, CANDIDATES, reference, since)]
                ranked.append(hits)
                missing = [cid for cid in hits if cid not in found]
                found.update((p.chunk_id, p) for p in self.store.get_chunks(missing, query=vector))

        fused: dict[str, float] = {}
        for ids in ranked:
            for rank, chunk_id in enumerate(ids):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        scored = [
            replace(found[cid], relevance=value * time_weight(found[cid].published, frame))
            for cid, value in fused.items() if cid in found
        ]
        scored.sort(key=lambda p: p.relevance, reverse=True)
        return scored[:k]

    def keyword_search(self, query: SearchQuery, k: int) -> list[Passage]:
        """BM25 only (dense when there is no lexical index): where the archive names something
        (a rare surname), which meaning-based search can blur."""
        reference = query.as_of
        if self.lexical is None:
            return self.store.query(self.embedder.embed([query.text])[0], k, reference)
        hits = self.lexical.search(query.text, k, reference)
        by_id = {p.chunk_id: p for p in self.store.get_chunks([cid for cid, _ in hits])}
        return [replace(by_id[cid], relevance=score) for cid, score in hits if cid in by_id]


def time_weight(published: date | None, frame: TimeFrame) -> float:
    if published is None:
        return 1.0
    weight = 1.0
    if frame.explicit and frame.contains(published):
        weight += WINDOW_BONUS
    age = max(0, (frame.as_of - published).days)
    return weight + RECENCY_BONUS * math.exp(-age / RECENCY_DAYS)
