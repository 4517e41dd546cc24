"""Wires settings into the embedder, store, retriever and answerer, lazily: building one costs nothing."""

from __future__ import annotations

import time
from functools import cached_property
from typing import TYPE_CHECKING

from index.embedder import Embedder
from index.factory import create_embedder, create_reader, open_store
from index.lexical import LexicalIndex, open_lexical
from index.retrieval import Retriever
from index.settings import Settings
from index.store import ArchiveStore

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from bot.extractive import Answerer


class Runtime:
    """One archive (a namespace of the store) with the components that read it."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        client: ClientAPI | None = None,
        namespace: str = "main",
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._client = client
        self.namespace = namespace

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or create_embedder(self.settings)

    @cached_property
    def store(self) -> ArchiveStore:
        return open_store(self.settings, self.embedder, self.namespace, self._client)

    @cached_property
    def lexical(self) -> LexicalIndex:
        return open_lexical(self.settings.store.home, self.store)

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.embedder, self.lexical)

    @cached_property
    def reader(self) -> Embedder:
        """The encoder the extractive answerer compares sentences with."""
        return create_reader(self.settings, self.embedder)

    def warm_up(self) -> float:
        """Load what the first question would otherwise wait for (the lexical index, the
        encoder and the reader's model); returns the seconds it took."""
        started = time.perf_counter()
        self.answerer  # noqa: B018 - builds the retriever and its indexes
        self.embedder.embed(["warm up"])
        if self.reader is not self.embedder:
            self.reader.embed(["warm up"])
        return round(time.perf_counter() - started, 3)

    @cached_property
    def answerer(self) -> Answerer:
        from bot.extractive import ExtractiveAnswerer

        extractive = ExtractiveAnswerer(self.retriever, self.reader, self.settings.answer, self.store)
        if not self.settings.llm.enabled:
            return extractive
        from bot.llm.answerer import create_llm_answerer

        return create_llm_answerer(self.settings, self.retriever, self.store, fallback=extractive)
