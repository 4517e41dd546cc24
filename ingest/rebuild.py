"""`newsdesk ingest --rebuild`: every stored article encoded again, from its stored text, into a new
index with the current settings, which replaces the stored indexes only once it holds them all.

The stored text is the source of truth: nothing is read from files or fetched again, so articles
whose files are gone or whose feeds have moved on are kept like the others. Each article is written
as it was stored (id, title, dates, url, source, path, received day, version, story), and each of
its earlier versions under `ID@vN` with the days it was current, through the ordinary pipeline
(chunker, annotator, encoder, writer: ingest/pipeline.py), so progress, batching and Ctrl-C behave
as in any ingest. Which indexes hold the stored articles (any settings) and how the new one takes
their place is the store's business (`index.archive.Rebuild`, index/chroma_rebuild.py).

Ctrl-C keeps the stored indexes as they are and what the new one holds so far; the next rebuild
goes on from there (what the new index holds is not encoded again).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

from index.archive import Archive, Rebuild
from index.encoders.embedder import Embedder
from index.models import Article
from index.versions import split_version_id
from ingest.chunking import Chunker
from ingest.nlp import Annotator
from ingest.pipeline import ingest
from ingest.progress import Progress
from ingest.report import IngestReport


class StoredArticles:
    """The articles of the stored indexes, each id once (the first index that holds it wins: the
    current settings' one comes first). Remembers the ids it gave, never the texts."""

    def __init__(self, sources: Sequence[Archive]) -> None:
        self.sources = sources
        self.articles: set[str] = set()
        self.versions: set[str] = set()

    def __iter__(self) -> Iterator[Article]:
        for source in self.sources:
            for article in source.stored_articles():
                given = self.versions if split_version_id(article.id) and article.superseded else self.articles
                if article.id not in given:
                    given.add(article.id)
                    yield article

    def missing_from(self, target: Archive) -> list[str]:
        """The ids given that `target` does not hold (complete) after the run."""
        wanted = sorted(self.articles | self.versions)
        held = target.article_states(wanted)
        return [i for i in wanted if i not in held]


def rebuild(plan: Rebuild, embedder: Embedder, chunker: Chunker, *, annotator: Annotator | None = None,
            progress: Progress | None = None, stop: threading.Event | None = None, workers: int = 0) -> IngestReport:
    """Fill `plan.target` with the stored articles and let it replace the stored indexes. The
    report says how many articles (`rebuilt`) and earlier versions (`rebuilt_versions`) the new
    index holds, what was encoded (`embedded`) and what failed; when an article could not be
    encoded again, `rebuild_incomplete` says so and the stored indexes are kept as they are."""
    started = time.perf_counter()
    report = IngestReport()
    if plan.complete is not None:  # an interrupted rebuild had finished the new index
        report.rebuilt, report.rebuilt_versions = plan.complete
    else:
        stored = StoredArticles(plan.sources)
        run = ingest([], plan.target, embedder, chunker, max_bytes=0,  # nothing is read from files
                     progress=progress, stop=stop, annotator=annotator, stored=stored, workers=workers)
        report.embedded, report.failed = run.embedded, run.failed
        report.skipped, report.warnings = run.skipped, run.warnings
        missing = stored.missing_from(plan.target)
        if missing:
            report.rebuild_incomplete = (
                f"{len(missing)} of the {len(stored.articles) + len(stored.versions)} stored articles and "
                "versions could not be encoded again (see above)"
            )
            report.seconds = round(time.perf_counter() - started, 3)
            return report
        _drop_others(plan.target, stored.articles)
        report.rebuilt, report.rebuilt_versions = len(stored.articles), len(stored.versions)
    plan.finish(report.rebuilt, report.rebuilt_versions)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _drop_others(target: Archive, articles: set[str]) -> None:
    """Articles an interrupted run put in the new index that the stored ones no longer hold
    (removed meanwhile, by a prune) do not come back."""
    target.delete_articles([i for i in target.article_states() if i not in articles])
