"""The archive a dataset is asked against, built once from the dataset's own corpus and reused.

A kit (a descriptive set too) or a gold set with article files gets an index of its own, in a namespace named by the
corpus content (`kit-<sha1>` / `corpus-<sha1>`) inside the normal data directory; the collection
names add the model and chunking key, so changed settings never mix vectors. The real ingest
pipeline fills it, incrementally: a second run finds every article unchanged.
A gold set without articles is asked against the data directory's own archive.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot import messages
from bot.runtime import Runtime
from bot.settings import Settings
from evals.dataset import Dataset
from evals.kit import kit_namespace
from index.encoders.embedder import Embedder
from index.errors import IndexMismatchError, UserInputError
from index.factory import index_spec
from index.lock import write_lock
from ingest.files import discover
from ingest.progress import Progress

log = logging.getLogger(__name__)


@dataclass
class IndexInfo:
    namespace: str
    corpus: list[str] | None
    articles: int
    chunks: int
    build_seconds: float | None  # time spent bringing the index up to date in this run
    reused: bool  # nothing had to be embedded
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)  # the first few, for the report
    # Loading (or building) what the answerer searches besides the vectors, e.g. the lexical
    # index: done before the first question so that it does not count as question latency.
    ready_seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def corpus_namespace(paths: list[Path]) -> str:
    """Named by the files' relative paths and bytes: edit an article, get a fresh index."""
    digest = hashlib.sha1()
    for path, root, _, problem in sorted(discover(paths)):
        if problem is None and path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha1(path.read_bytes()).digest())
    return "corpus-" + digest.hexdigest()[:10]


def open_archive(
    settings: Settings,
    dataset: Dataset,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
) -> tuple[Runtime, IndexInfo]:
    if dataset.corpus is None:
        runtime = Runtime(settings, embedder=embedder)
        articles, chunks = runtime.store.counts()
        if articles == 0:
            raise UserInputError(messages.EVAL_EMPTY_ARCHIVE.format(home=settings.store.home))
        return runtime, IndexInfo(runtime.namespace, None, articles, chunks, None, reused=True,
                                  ready_seconds=runtime.warm_up())

    missing = next((p for p in dataset.corpus if not p.exists()), None)
    if missing is not None:
        raise UserInputError(messages.CORPUS_NOT_FOUND.format(path=missing))
    namespace = (
        kit_namespace(dataset.corpus[0]) if dataset.kind in ("kit", "descriptive")
        else corpus_namespace(dataset.corpus)
    )
    runtime = Runtime(settings, embedder=embedder, namespace=namespace)
    corpus_text = ", ".join(str(p) for p in dataset.corpus)
    home = settings.store.home

    def waiting(holder: str) -> None:
        log.warning(messages.INGEST_WAITING.format(holder=holder, home=home))

    # Building the eval index writes to the data directory like `newsdesk ingest` does.
    with write_lock(home, timeout=settings.ingest.lock_timeout, on_wait=waiting):
        try:
            store = runtime.store
        except IndexMismatchError as exc:  # the store's advice (ingest --rebuild) does not apply here
            wanted = index_spec(settings.chunking, runtime.embedder, namespace).describe()
            raise IndexMismatchError(
                messages.EVAL_INDEX_MISMATCH.format(corpus=corpus_text, wanted=wanted)
            ) from exc
        report = runtime.ingest(dataset.corpus, progress=progress)
    articles, chunks = store.counts()
    if articles == 0:
        reason = report.failed[0].error if report.failed else "no articles"
        raise UserInputError(
            messages.CORPUS_UNUSABLE.format(corpus=corpus_text, reason=reason)
        )
    return runtime, IndexInfo(
        namespace=namespace,
        corpus=[str(p) for p in dataset.corpus],
        articles=articles,
        chunks=chunks,
        build_seconds=report.seconds,
        reused=report.embedded == 0,
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        failed=len(report.failed),
        failures=[f"{f.path}: {f.error}" for f in report.failed[:5]],
        ready_seconds=runtime.warm_up(),
    )

