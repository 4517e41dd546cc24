"""The ingest pipeline's first stage (ingest/pipeline.py): read the sources, look up what is
stored, chunk what changed and mark it up, and hand the work on in groups.

An article whose text is stored unchanged costs nothing (a moved file is only relocated); one
whose id is another article's is reported, not stored; a changed text is kept as an earlier
version and every article put in its wire story (`ingest.revisions.prepare`); chunks whose
embedding text is stored already keep their vectors. Only article ids, paths and hashes are
remembered, never texts.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.archive import Archive, ArticleState
from index.encoders.embedder import Vectors
from index.models import Article, Chunk
from ingest.chunking import Chunker, embedding_text
from ingest.copies import CopyFinder
from ingest.files import Source
from ingest.formats import JSON_SUFFIXES, LINES_SUFFIXES, suffix_of
from ingest.nlp import Annotator
from ingest.progress import Tally
from ingest.reading import ArticleSource
from ingest.records import normalize_url, url_id
from ingest.report import Failure, IngestReport
from ingest.revisions import prepare

# Articles are planned in groups of about this many chunks: big enough to keep the encoder busy.
WRITE_GROUP_CHUNKS = 512
# Chunks marked up per annotator call. The encoder gets them slice by slice, so a huge article
# (5 MB on one line: minutes of mark-up) is encoded while the rest of it is still marked up.
MARKUP_BATCH_CHUNKS = 64
# Stored states are looked up for this many read articles at a time (one store call).
LOOKUP_BATCH = 256
# What the planner holds is handed on after this many seconds, however little (slow web sources).
FLUSH_SECONDS = 2.0


@dataclass(eq=False)  # compared and hashed by identity: one per article in a run
class Planned:
    article: Article
    chunks: list[Chunk]  # all of its chunks, as cut (they go to the encoder marked up, in parts)
    is_update: bool  # an earlier version is stored (counted as updated, not added)
    # Vectors already stored for chunks whose embedding text is unchanged, by chunk index: from
    # an earlier version, or from an interrupted run that stored part of this article.
    known: dict[int, Vectors] = field(default_factory=dict)

    @property
    def may_have_leftovers(self) -> bool:
        """Stored chunks beyond this version's count may exist and must go."""
        return self.is_update or bool(self.known)


@dataclass
class Part:
    """Chunks of one article, in order and marked up, on their way to the encoder (a huge
    article goes in many parts; its last part holds its last chunk)."""

    planned: Planned
    chunks: list[Chunk]


class Planner:
    """Reads, deduplicates, compares with the store, chunks and marks up (unless `mark_up` is
    False: worker processes do, ingest/workers.py); hands over groups of work.

    Writes `failed`, `skipped`, `warnings` and `unchanged` of the report (no other stage touches
    them while it runs). Only article ids, paths and hashes are remembered, never texts.
    """

    def __init__(self, store: Archive, chunker: Chunker, report: IngestReport, source: ArticleSource,
                 tally: Tally, annotator: Annotator | None = None, mark_up: bool = True) -> None:
        self.store = store
        self.chunker = chunker
        self.annotator = annotator if mark_up else None  # else the encoder's workers mark up
        self.annotated = annotator.version if annotator else None
        self.report = report
        self.source = source
        self.tally = tally
        self.copies = CopyFinder(store)  # wire copies (ingest/copies.py)

    def run(self, sources: Sequence[Source], put: Callable[[list[Part]], None],
            stored: Iterable[Article] = ()) -> None:
        group: list[Part] = []
        size = 0
        since = time.monotonic()
        for batch in _batched(self._read(sources, stored), LOOKUP_BATCH):
            for part in self._plan(batch):
                group.append(part)
                size += len(part.chunks)
                # A slow source (a web page a second) still feeds the encoder every few seconds.
                if size >= WRITE_GROUP_CHUNKS or time.monotonic() - since >= FLUSH_SECONDS:
                    put(group)
                    group, size, since = [], 0, time.monotonic()
        if group:
            put(group)

    def _read(self, sources: Sequence[Source], stored: Iterable[Article]) -> Iterator[Article]:
        for article in itertools.chain(stored, self.source.articles(sources)):
            self.tally.add(articles_read=1)
            yield article

    def _plan(self, articles: list[Article]) -> Iterator[Part]:
        planned = list(self._chunked(articles))
        # Hook (issue 15): a changed text is kept as an earlier version, each article put in its story.
        for p, article in zip(planned, prepare(self.store, self.copies, [(p.article, p.is_update) for p in planned],
                                               self.report)):
            p.article = article
        if planned:  # an edited (or half-stored) article keeps the vectors of its unchanged chunks
            stored = {
                embedding_text(title, text): vector
                for title, text, vector in self.store.stored_chunks([p.article.id for p in planned])
            }
            for p in planned if stored else []:
                for chunk in p.chunks:
                    vector = stored.get(embedding_text(p.article.title, chunk.text))
                    if vector is not None:
                        p.known[chunk.index] = vector
        yield from self._marked_up(planned)

    def _marked_up(self, planned: list[Planned]) -> Iterator[Part]:
        """The planned articles' chunks in parts, marked up MARKUP_BATCH_CHUNKS at a time."""
        if self.annotator is None:
            yield from (Part(p, p.chunks) for p in planned)
            return
        pairs = [(p, c) for p in planned for c in p.chunks]
        for i in range(0, len(pairs), MARKUP_BATCH_CHUNKS):
            some = pairs[i : i + MARKUP_BATCH_CHUNKS]
            marked = self.annotator.annotate([c for _, c in some])
            self.tally.add(marked_up=len(some))
            parts: dict[Planned, list[Chunk]] = {}
            for (p, _), chunk in zip(some, marked):
                parts.setdefault(p, []).append(chunk)
            yield from (Part(p, chunks) for p, chunks in parts.items())

    def _chunked(self, articles: list[Article]) -> Iterator[Planned]:
        known = self.store.article_states([a.id for a in articles])
        for article in articles:
            state = known.get(article.id)
            if (state is not None and state.content_hash == article.content_hash()
                    and (self.annotated is None or state.annotated == self.annotated)):
                if state.path != article.path:  # same text, file moved: fix the location only
                    self.store.relocate(article.id, article.path)
                self.report.unchanged += 1
                continue
            if state is not None and _clashes(state, article):
                self.report.failed.append(Failure(
                    article.path or article.id,
                    f"id '{article.id}' is already used by \"{state.title}\" from {state.path}; not stored "
                    f"({_clash_hint(article)})",
                ))
                continue
            try:
                chunks = self._chunks(article)
            except Exception as exc:  # noqa: BLE001 - a chunking bug must not sink the other articles
                self.report.failed.append(Failure(article.path or article.id, f"cannot chunk: {exc}"))
                continue
            if not chunks:
                self.report.failed.append(Failure(article.path or article.id, "no text to index"))
                continue
            yield Planned(article, chunks, is_update=state is not None)

    def _chunks(self, article: Article) -> list[Chunk]:
        """The article's chunks, told to the tally as they are made (one article can take minutes)."""
        self.tally.add(chars_to_chunk=len(article.text))
        chunks: list[Chunk] = []
        done = 0
        try:
            for chunk in self.chunker.iter_chunks(article):
                chunks.append(chunk)
                self.tally.add(chars_chunked=chunk.end - done, passages=1)
                done = chunk.end
        except Exception:
            self.tally.add(passages=-len(chunks))  # none of them will be encoded
            raise
        finally:
            self.tally.add(chars_chunked=len(article.text) - done)
        return chunks


def _clashes(stored: ArticleState, article: Article) -> bool:
    """Another article under the same id: from another file that still exists, with another
    title and URL. (A moved file, or a new version with its title or URL, is the same article.)"""
    return (
        bool(stored.path) and stored.path != article.path and Path(stored.path or "").exists()
        and stored.title != article.title and not (article.url and article.url == stored.url)
    )


def _clash_hint(article: Article) -> str:
    """What stores the article without touching the other, by where its id came from: an export's
    record (its own `id`, else its URL's or its line's) can take an `id` of its own; a page's URL
    is shared; else it is the file's path under the folder ingested, which a common parent tells apart."""
    if article.path and suffix_of(Path(article.path)) in JSON_SUFFIXES | LINES_SUFFIXES:
        return "give this record an `id` of its own: an export's `id` names one article across all your exports"
    if article.url and article.id == url_id(article.url):
        return f"both have the URL {normalize_url(article.url)} once normalised: correct one of them"
    return "ingest both files from their common parent folder"


def _batched(items: Iterator[Article], size: int) -> Iterator[list[Article]]:
    """Batches of `size`, or fewer when the items come slowly (FLUSH_SECONDS)."""
    batch: list[Article] = []
    since = time.monotonic()
    for item in items:
        batch.append(item)
        if len(batch) >= size or time.monotonic() - since >= FLUSH_SECONDS:
            yield batch
            batch, since = [], time.monotonic()
    if batch:
        yield batch
