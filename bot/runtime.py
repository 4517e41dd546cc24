"""One runtime for the whole house: settings wired into the embedder, the store, ingest,
retrieval and the answerers, lazily (building one costs nothing; each part is made on first use).

The CLI, the Slack bot, the eval runner, the tests and the benchmarks all get their parts here,
so a reranker stage, another store or another answerer is a change in this one place. The
answerer handed to front ends verifies every citation; `raw_answerer` is for evals, which
measure what the answerer returns before that gate.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answer import Answerer
from bot.query import Query, build_query
from bot.settings import Settings
from bot.verify import VerifyingAnswerer
from index.archive import Archive
from index.embedder import Embedder
from index.factory import create_embedder, open_store
from index.lexical import LexicalIndex, open_lexical
from index.retrieval import HybridRetriever, RerankedRetriever, Reranker, Retriever

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from ingest.chunking import Chunker
    from ingest.pipeline import Progress
    from ingest.report import IngestReport


class Runtime:
    """One archive (a namespace of the store) with everything that writes and reads it."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        client: ClientAPI | None = None,
        namespace: str = "main",
        *,
        store: Archive | None = None,
        rerankers: Sequence[Reranker] = (),
    ) -> None:
        self.settings = settings
        self.namespace = namespace
        self._embedder = embedder
        self._client = client
        self._store = store
        self.rerankers = list(rerankers)

    # -- the index ----------------------------------------------------------------------------

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or create_embedder(self.settings.embedding, self.settings.store.home)

    @cached_property
    def store(self) -> Archive:
        if self._store is not None:
            return self._store
        s = self.settings
        return open_store(s.store, s.chunking, self.embedder, self.namespace, self._client)

    @cached_property
    def lexical(self) -> LexicalIndex:
        return open_lexical(self.settings.store.home, self.store)

    @cached_property
    def retriever(self) -> Retriever:
        hybrid = HybridRetriever(self.store, self.embedder, self.lexical)
        return RerankedRetriever(hybrid, self.rerankers) if self.rerankers else hybrid

    # -- ingest -------------------------------------------------------------------------------

    @cached_property
    def chunker(self) -> Chunker:
        from ingest.chunking import create_chunker

        cfg = self.settings.chunking
        return create_chunker(cfg.max_tokens, cfg.overlap_sentences, cfg.encoding,
                              self.embedder.max_tokens, self.embedder.count_tokens)

    def ingest(self, paths: Sequence[Path], *, prune: bool = False, confirm_prune: bool = False,
               progress: Progress | None = None) -> IngestReport:
        """Bring the archive up to date with `paths` (see `ingest.pipeline.ingest`); the lexical
        index follows at once, so the next question needs no rebuild. Take the data directory's
        write lock (`index.lock.write_lock`) around this when other processes may write."""
        from ingest.pipeline import ingest

        report = ingest(paths, self.store, self.embedder, self.chunker,
                        max_bytes=int(self.settings.ingest.max_file_mb * 1_000_000), prune=prune,
                        confirm_prune=confirm_prune, progress=progress)
        if report.added or report.updated or report.removed:
            for name in ("lexical", "retriever", "raw_answerer", "answerer"):
                self.__dict__.pop(name, None)
            self.lexical  # noqa: B018 - rebuild the BM25 side now, not on the next question
        return report

    # -- answering ----------------------------------------------------------------------------

    def query(self, question: str, as_of: date, choices: Sequence[str] = ()) -> Query:
        """The question read once, as of a date the caller has resolved (see `bot.query`)."""
        return build_query(question, as_of, self.settings.answer.max_question_chars, choices)

    @cached_property
    def reader(self) -> Embedder:
        """The encoder the extractive answerer compares sentences with: by default the int8
        reader of the index's model (exported once; see `AnswerSettings.reader`), else the index's."""
        if self.settings.answer.reader == "int8":
            from index.factory import create_int8_reader

            reader = create_int8_reader(self.embedder, self.settings.embedding, self.settings.store.home)
            if reader is not None:
                return reader
        return self.embedder

    @cached_property
    def raw_answerer(self) -> Answerer:
        """The answerer itself, before the citation gate (evals measure validity on it)."""
        from bot.extractive.answerer import ExtractiveAnswerer

        extractive = ExtractiveAnswerer(self.retriever, self.reader, self.settings.answer, self.store)
        if not self.settings.llm.enabled:
            return extractive
        from bot.llm.answerer import create_llm_answerer

        return create_llm_answerer(self.settings, self.retriever, self.store, fallback=extractive)

    @cached_property
    def answerer(self) -> Answerer:
        """What front ends use: every citation checked against the stored text before display."""
        return VerifyingAnswerer(self.raw_answerer, self.store)

    def warm_up(self) -> float:
        """Load what the first question would otherwise wait for (the lexical index, the
        encoder and the reader's model); returns the seconds it took."""
        started = time.perf_counter()
        self.answerer  # noqa: B018 - builds the retriever and its indexes
        self.embedder.embed(["warm up"])
        if self.reader is not self.embedder:
            self.reader.embed(["warm up"])
        return round(time.perf_counter() - started, 3)
