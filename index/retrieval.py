"""Question -> ranked passages: dense and BM25 results fused by reciprocal rank, with time as a signal.

Both sides run twice: over the whole archive up to the reference date, and over the window the
question points at (or the recent past), so that current coverage is not crowded out by older
articles that share the words. Nothing published after the reference date is ever returned.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

from index.embedder import Embedder
from index.lexical import LexicalIndex
from index.models import Passage
from index.store import ArchiveStore
from index.timeframe import TimeFrame, question_timeframe

RRF_K = 60
CANDIDATES = 40  # per ranked list
WINDOW_BONUS = 0.5  # relevance multiplier for passages inside an explicitly named window
RECENCY_BONUS = 0.35  # for recent passages, fading with age (half-life RECENCY_DAYS)
RECENCY_DAYS = 10.0


class Retriever:
    """Hybrid retrieval. Without a lexical index it is dense-only (still date-aware)."""

    def __init__(self, store: ArchiveStore, embedder: Embedder, lexical: LexicalIndex | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical

    def search(self, question: str, k: int, as_of: date | None = None) -> list[Passage]:
        reference = as_of or date.today()
        frame = question_timeframe(question, reference)
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

    def keyword_search(self, query: str, k: int, as_of: date | None = None) -> list[Passage]:
        """BM25 only (dense when there is no lexical index), up to the reference date: where the
        archive names something (a rare surname), which meaning-based search can blur.
        `relevance` is the BM25 score; callers weigh time themselves."""
        reference = as_of or date.today()
        if self.lexical is None:
            return self.store.query(self.embedder.embed([query])[0], k, reference)
        hits = self.lexical.search(query, k, reference)
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
