"""One runtime for the whole house: settings wired into the embedder, the store, ingest,
retrieval and the answerers, lazily (building one costs nothing; each part is made on first use).

The CLI, the Slack bot, the eval runner, the tests and the benchmarks all get their parts here,
so a reranker stage, another store or another answerer is a change in this one place. The
answerer handed to front ends verifies every citation; `raw_answerer` is for evals, which
measure what the answerer returns before that gate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answer import Answerer
from bot.copies import CopiesNamed
from bot.query import Query, build_query
from bot.settings import Settings
from bot.verify import VerifyingAnswerer
from index.archive import Archive
from index.encoders.embedder import Embedder
from index.encoders.factory import create_embedder
from index.factory import open_store
from index.lexical import LexicalIndex, open_lexical
from index.retrieval import HybridRetriever, RerankedRetriever, Reranker, Retriever
from index.stories import OneArticlePerStory
from language.shapes import Shape

FETCH_FOLDER = "fetch"  # <home>/fetch/<index>/http-cache.sqlite3

if TYPE_CHECKING:
    from index.factory import Connection
    from ingest.chunking import Chunker
    from ingest.files import Source
    from ingest.progress import Progress
    from ingest.report import IngestReport


class Runtime:
    """One archive (a namespace of the store) with everything that writes and reads it."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        connection: Connection | None = None,
        namespace: str = "main",
        *,
        store: Archive | None = None,
        rerankers: Sequence[Reranker] = (),
    ) -> None:
        self.settings = settings
        self.namespace = namespace
        self._embedder = embedder
        self._connection = connection
        self._store = store
        self.rerankers = list(rerankers)
        self._owns_connection = connection is None and store is None  # opened here, so closed here

    def reopened(self) -> Runtime:
        """The same archive through a fresh connection, sharing the loaded models: it sees what
        other processes wrote since this one opened its store (an embedded store may keep the vector
        index it loaded in memory, so only a new connection sees theirs: `index.factory.connect`).
        `close()` it when done."""
        if not self._owns_connection:  # a store or connection the caller gave: theirs to renew
            return Runtime(self.settings, self.embedder, self._connection, self.namespace,
                           store=self._store, rerankers=self.rerankers)
        from index.factory import connect

        fresh = Runtime(self.settings, self.embedder, connect(self.settings.store, fresh=True),
                        self.namespace, rerankers=self.rerankers)
        fresh._owns_connection = True
        return fresh

    def close(self) -> None:
        """Release the store's connection if this runtime opened it (then it is unusable)."""
        if self._owns_connection:
            from index.factory import disconnect

            disconnect(self._connection, self.__dict__.get("store"))
        for name in ("store", "lexical", "retriever", "raw_answerer", "answerer"):
            self.__dict__.pop(name, None)

    # -- the index ----------------------------------------------------------------------------

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or create_embedder(self.settings.embedding)

    @cached_property
    def store(self) -> Archive:
        if self._store is not None:
            return self._store
        s = self.settings
        return open_store(s.store, s.chunking, self.embedder, self.namespace, self._connection)

    @cached_property
    def lexical(self) -> LexicalIndex:
        return open_lexical(self.settings.store.home, self.store)

    @cached_property
    def retriever(self) -> Retriever:
        """Hybrid retrieval; then one article per wire story among the passages read
        (index/stories.py), then any stages given."""
        hybrid = HybridRetriever(self.store, self.embedder, self.lexical)
        stories = OneArticlePerStory(self.settings.answer.articles_per_story)
        return RerankedRetriever(hybrid, [stories, *self.rerankers])

    # -- ingest -------------------------------------------------------------------------------

    @cached_property
    def chunker(self) -> Chunker:
        from ingest.chunking import create_chunker

        cfg = self.settings.chunking
        return create_chunker(cfg.max_tokens, cfg.overlap_sentences, cfg.encoding,
                              self.embedder.max_tokens, self.embedder.count_tokens)

    @property
    def fetch_cache(self) -> Path:
        """Where what was fetched into this index is remembered (HTTP validators): one folder per
        index, since "not modified since the last run" means "nothing new" only to the index that
        stored the articles then (another embedding backend, or a rebuilt index, reads anew)."""
        return self.settings.store.home / FETCH_FOLDER / self.store.spec.prefix

    def rebuild(self, *, progress: Progress | None = None, stop: threading.Event | None = None) -> IngestReport:
        """Encode every stored article again, with its earlier versions, from its stored text into
        a new index for the current settings, reading them from whichever indexes of this archive
        hold them (any settings); those are replaced only once the new one holds every article,
        so Ctrl-C loses nothing and the next rebuild goes on (ingest/rebuild.py). What was fetched
        into the old indexes is forgotten: the next ingest of a feed reads it anew."""
        from index.factory import begin_rebuild
        from ingest.nlp import ChunkAnnotator
        from ingest.rebuild import rebuild

        if self._store is not None:
            raise TypeError("a store given to the runtime is rebuilt by its owner")
        s = self.settings
        plan = begin_rebuild(s.store, s.chunking, self.embedder, self.namespace, self._connection)
        report = rebuild(plan, self.embedder, self.chunker, progress=progress, stop=stop,
                         annotator=ChunkAnnotator() if s.ingest.annotate else None,
                         workers=s.ingest.worker_processes())
        if report.rebuild_incomplete is None:
            self._forget_replaced()
        return report

    def _forget_replaced(self) -> None:
        """After a rebuild: the new store is opened on next use; what was fetched into the old
        indexes, and their lexical indexes, go."""
        import shutil

        from index.archive import IndexSpec
        from index.lexical import lexical_folder

        for name in ("store", "lexical", "retriever", "raw_answerer", "answerer"):
            self.__dict__.pop(name, None)
        home, every = self.settings.store.home, IndexSpec.prefixes(self.namespace)
        lexical = lexical_folder(home, self.store)
        for folder in [*(home / FETCH_FOLDER).glob(every), *lexical.parent.glob(every)]:
            if folder != lexical:
                shutil.rmtree(folder, ignore_errors=True)

    def ingest(self, sources: Sequence[Source], *, prune: bool = False, confirm_prune: bool = False,
               progress: Progress | None = None, stop: threading.Event | None = None) -> IngestReport:
        """Bring the archive up to date with `sources`: files, folders, feed, sitemap and WARC
        files, and http(s) URLs (see `ingest.pipeline.ingest`); the lexical index follows at once,
        so the next question needs no rebuild. Take the data directory's write lock
        (`index.lock.write_lock`) around this when other processes may write, and open the store
        after taking it (`reopened()`), so that it starts from what they wrote."""
        from ingest.errors import IngestInterrupted
        from ingest.nlp import ChunkAnnotator
        from ingest.pipeline import ingest

        cfg = self.settings.ingest
        report = ingest(sources, self.store, self.embedder, self.chunker,
                        max_bytes=int(cfg.max_file_mb * 1_000_000), prune=prune,
                        confirm_prune=confirm_prune, progress=progress, stop=stop,
                        fetch_cache=self.fetch_cache, fetch_policy=cfg.fetch_policy(),
                        annotator=ChunkAnnotator() if cfg.annotate else None, workers=cfg.worker_processes())
        if report.added or report.updated or report.removed:
            for name in ("lexical", "retriever", "raw_answerer", "answerer"):
                self.__dict__.pop(name, None)
            try:
                self.lexical  # noqa: B018 - rebuild the BM25 side now, not on the next question
            except KeyboardInterrupt as exc:  # the articles are stored (the next question builds it)
                report.interrupted = True
                raise IngestInterrupted(report) from exc
        return report

    # -- answering ----------------------------------------------------------------------------

    def query(self, question: str, as_of: date, choices: Sequence[str] = (), shape: Shape | None = None) -> Query:
        """The question read once, as of a date the caller has resolved, in the shape its words ask
        for unless `shape` is given (see `bot.query`)."""
        return build_query(question, as_of, self.settings.answer.max_question_chars, choices, shape)

    @cached_property
    def sentence_encoder(self) -> Embedder:
        """The encoder the extractive answerer compares sentences with: by default the int8
        encoder of the index's model (exported once; see `AnswerSettings.reader`), else the index's."""
        if self.settings.answer.reader == "int8":
            from index.encoders.factory import create_sentence_encoder

            encoder = create_sentence_encoder(self.embedder, self.settings.embedding)
            if encoder is not None:
                return encoder
        return self.embedder

    @cached_property
    def raw_answerer(self) -> Answerer:
        """The answerer itself, before the citation gate (evals measure validity on it): the
        extractive answerer, or in LLM mode the model's with the extractive one as its fallback.
        Each hands a query of a composed shape (an overview, a timeline...) to its composer
        (bot/compose/, bot/llm/compose.py)."""
        from bot.compose.answerer import ComposingAnswerer
        from bot.extractive.answerer import ExtractiveAnswerer
        from bot.extractive.ranker import load_model

        answer = self.settings.answer
        ranker = load_model(answer.ranker_model, self.settings.store.home) if answer.ranker else None
        composer = ComposingAnswerer(self.retriever, self.sentence_encoder, answer, self.store)
        extractive = ExtractiveAnswerer(self.retriever, self.sentence_encoder, answer, self.store, ranker, composer)
        if not self.settings.llm.enabled:
            return extractive
        from bot.llm.answerer import create_llm_answerer
        from bot.llm.compose import LLMComposer

        llm = create_llm_answerer(self.settings, self.retriever, self.store, fallback=extractive)
        llm.composer = LLMComposer(llm, fallback=composer)
        return llm

    @cached_property
    def answerer(self) -> Answerer:
        """What front ends use: every citation checked against the stored text before display,
        and told which other outlets carried its story (bot/copies.py)."""
        return CopiesNamed(VerifyingAnswerer(self.raw_answerer, self.store), self.store)

    def warm_up(self) -> float:
        """Load what the first question would otherwise wait for (the lexical index, the
        encoder and the sentence encoder's model); returns the seconds it took."""
        started = time.perf_counter()
        self.answerer  # noqa: B018 - builds the retriever and its indexes
        self.embedder.embed(["warm up"])
        if self.sentence_encoder is not self.embedder:
            self.sentence_encoder.embed(["warm up"])
        return round(time.perf_counter() - started, 3)
