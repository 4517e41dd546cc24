"""Question -> ranked passages."""

from __future__ import annotations

from datetime import date

from index.embedder import Embedder
from index.models import Passage
from index.store import ArchiveStore


class Retriever:
    """Dense retrieval over the chunk vectors, never returning articles published after `as_of`."""

    def __init__(self, store: ArchiveStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def search(self, question: str, k: int, as_of: date | None = None) -> list[Passage]:
        vector = self.embedder.embed([question])[0]
        return self.store.query(vector, k, as_of)
