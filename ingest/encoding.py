"""The ingest pipeline's second stage (ingest/pipeline.py): planned chunks to vectors, in batches
of ENCODE_BATCH_CHUNKS, reusing the vectors known for unchanged chunks; here, in the ingest's own
process. `ingest.workers` does the same in worker processes, marking up as well."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from index.encoders.embedder import Embedder, Vectors
from index.errors import NewsdeskError
from index.models import Chunk
from ingest.chunking import embedding_text
from ingest.handoff import get_unless_stopped
from ingest.planning import Part, Planned
from ingest.progress import Tally
from ingest.report import Failure, IngestReport

# Chunks per encoder call, and per store write: progress moves, and an interrupt keeps the work
# done, every few seconds on a CPU, however large one article is.
ENCODE_BATCH_CHUNKS = 64


@dataclass
class Batch:
    """Encoded chunks on their way to the store; `finished` articles have all their chunks in it
    or in earlier batches."""

    parts: list[tuple[Planned, list[Chunk], Vectors]]
    finished: list[Planned]


class Encoder:
    """Encodes planned chunks in batches of ENCODE_BATCH_CHUNKS, reusing known vectors. An
    article whose batch fails to encode is reported and its remaining chunks skipped."""

    def __init__(self, embedder: Embedder, report: IngestReport, tally: Tally) -> None:
        self.embedder = embedder
        self.report = report
        self.tally = tally
        self.failed: set[str] = set()  # articles that failed (their later parts are skipped)

    def stream(self, plans: queue.Queue[list[Part] | None], stop: threading.Event | None) -> Iterator[Batch]:
        """The batches of every group planned, in order, until the planner's end mark."""
        while (group := get_unless_stopped(plans, stop)) is not None:
            yield from self.encode(group)

    def encode(self, group: list[Part]) -> Iterator[Batch]:
        for pairs, size in slices(group, self.failed):
            todo = to_encode(pairs)
            try:
                encoded: Iterator[Vectors] = iter(self.embedder.embed(todo) if todo else [])
                vectors = with_known(pairs, encoded)
            except NewsdeskError:  # a setup problem (no such device, no model): every batch would fail
                raise
            except Exception as exc:  # noqa: BLE001 - the encoder failed on this batch: report, keep going
                self.fail(pairs, f"embedding failed: {exc}")
                self.tally.add(encoded=size)
                continue
            self.report.embedded += len(todo)
            self.tally.add(encoded=size)
            yield batch(pairs, vectors)

    def fail(self, pairs: list[tuple[Planned, Chunk]], reason: str) -> None:
        """Report the articles of `pairs` failed; their later chunks are skipped."""
        for p in dict.fromkeys(p for p, _ in pairs):
            if p.article.id not in self.failed:
                self.failed.add(p.article.id)
                self.report.failed.append(Failure(p.article.path or p.article.id, reason))


def slices(group: list[Part], failed: set[str]) -> Iterator[tuple[list[tuple[Planned, Chunk]], int]]:
    """The group's chunks with their articles, ENCODE_BATCH_CHUNKS at a time, but those of `failed`
    articles (read as each slice is taken); and each slice's size, skipped chunks included (what
    progress counts as done)."""
    flat = [(part.planned, c) for part in group for c in part.chunks]
    for i in range(0, len(flat), ENCODE_BATCH_CHUNKS):
        some = flat[i : i + ENCODE_BATCH_CHUNKS]
        yield [(p, c) for p, c in some if p.article.id not in failed], len(some)


def to_encode(pairs: list[tuple[Planned, Chunk]]) -> list[str]:
    """The embedding texts of the chunks whose vectors are not known."""
    return [embedding_text(p.article.title, c.text) for p, c in pairs if c.index not in p.known]


def with_known(pairs: list[tuple[Planned, Chunk]], encoded: Iterator[Vectors]) -> list[Vectors]:
    """Every chunk's vector: the known one, else the next one encoded."""
    return [p.known[c.index] if c.index in p.known else next(encoded) for p, c in pairs]


def batch(pairs: list[tuple[Planned, Chunk]], vectors: list[Vectors]) -> Batch:
    parts: dict[Planned, tuple[list[Chunk], list[Vectors]]] = {}
    for (planned, chunk), vector in zip(pairs, vectors):
        chunks, vecs = parts.setdefault(planned, ([], []))
        chunks.append(chunk)
        vecs.append(vector)
    return Batch(
        [(p, chunks, np.stack(vecs).astype(np.float32)) for p, (chunks, vecs) in parts.items()],
        finished=[p for p, (chunks, _) in parts.items() if chunks[-1].index == len(p.chunks) - 1],
    )
