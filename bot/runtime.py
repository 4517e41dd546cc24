"""Wires settings into the embedder, store, retriever and answerer, lazily: building one costs nothing."""

from __future__ import annotations

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
    def answerer(self) -> Answerer:
        from bot.extractive import ExtractiveAnswerer

        reader = create_reader(self.settings, self.embedder)
        extractive = ExtractiveAnswerer(self.retriever, reader, self.settings.answer, self.store)
        if not self.settings.llm.enabled:
            return extractive
        from bot.llm.answerer import create_llm_answerer

        return create_llm_answerer(self.settings, self.retriever, self.store, fallback=extractive)
