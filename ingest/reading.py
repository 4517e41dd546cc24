"""What an ingest reads, as one stream of articles for the planner: files and folders, JSONL
exports (streamed, a line at a time), feeds, sitemaps and WARC files, and http(s) URLs of feeds
and sitemaps.

    source = ArticleSource(report, max_bytes=..., known=...)
    for article in source.articles(sources): ...
    source.remember_fetched(is_stored)   # once the run's articles are stored

Every problem lands in the report once (`failed`, `skipped` or `warnings`) and the rest is still
read. An article id met twice in one run is read once, and so is a file reached by two names (a
symlink, a folder inside another one given). Only ids, paths and hashes (and saved pages'
titles) are kept, never texts, so memory stays flat however large a source is.

What is read how:

- named on the command line: a feed, sitemap or WARC file (by suffix or first bytes, see
  `ingest.sources`) as that source; any other file by its format (`ingest.formats`);
- under a folder: the file formats, and WARC files (`.warc`, `.warc.gz`); a feed or
  sitemap file is read only when named, since reading one fetches web pages;
- an http(s) URL: a feed or a sitemap, or else one web page (extracted like an HTML file),
  fetched politely (`ingest.fetch`).

Fetching starts on first need, with the validators of earlier runs in the cache directory;
those of this run are written by `remember_fetched`, and only then, so an interrupted run
leaves the next one to fetch everything again (see `ingest.fetch`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from index.models import Article
from ingest.errors import ArticleReadError, FetchError
from ingest.exports import stream_json_lines
from ingest.fetch import Fetcher, FetchPolicy
from ingest.files import Found, Source, as_sources, discover, is_url
from ingest.formats import (
    HTML_SUFFIXES,
    LINES_SUFFIXES,
    SUPPORTED_SUFFIXES,
    read_file,
    suffix_of,
    without_url,
)
from ingest.items import Known, Problem
from ingest.pages import PageRef, fetch_page
from ingest.records import StoredIds
from ingest.report import Failure, IngestReport
from ingest.sources import SourceKind, read_source, source_kind
from ingest.warc import WARC_SUFFIXES

log = logging.getLogger(__name__)

_REPORT_FIELD = {"failed": "failed", "skipped": "skipped", "warning": "warnings"}


class ArticleSource:
    """Reads sources into articles and the report. Used from one thread (the planner's)."""

    def __init__(self, report: IngestReport, *, max_bytes: int, known: Known | None = None,
                 stored_ids: StoredIds | None = None, fetch_cache: Path | None = None,
                 fetch_policy: FetchPolicy | None = None, stopping: threading.Event | None = None) -> None:
        self.report = report
        self.max_bytes = max_bytes
        self.known = known
        self.stored_ids = stored_ids  # a file keeps the ids it is stored under (ingest.records.StoredFile)
        self.fetch_cache = fetch_cache
        self.fetch_policy = fetch_policy or FetchPolicy()
        self.stopping = stopping or threading.Event()
        self.seen: dict[str, tuple[str, str]] = {}  # article id -> (where it was read, content hash)
        # Files read whole and cleanly (no record failed): articles stored from them and not read again are gone.
        self.files_read: set[str] = set()
        self.read_as: dict[str, str] = {}  # a file's real path -> the name it was read under (each file once)
        self.page_titles: dict[str, str] = {}  # id of a saved page's canonical URL -> its first title
        self.fetched_from: dict[str, list[str]] = {}  # a feed or sitemap URL -> ids of the articles it gave
        self._fetcher: Fetcher | None = None

    def articles(self, sources: Sequence[Source]) -> Iterator[Article]:
        """Every article of `sources`, in order, each id once; stops early when `stopping` is set."""
        for source in as_sources(sources):
            if self.stopping.is_set():
                return
            if is_url(source):
                yield from self._url(str(source))
                continue
            path = Path(source)
            kind = source_kind(str(path)) if path.is_file() else None
            if kind is not None:
                yield from self._live(str(path), kind)
                continue
            for found in discover([path]):
                if self.stopping.is_set():
                    return
                yield from self._file(found)

    def remember_fetched(self, stored: Callable[[Sequence[str]], int]) -> None:
        """Write this run's HTTP validators (call once the articles are stored). A feed or sitemap
        URL some of whose articles are not stored (`stored(ids)` counts those that are) is read in
        full next run, so they are tried again."""
        if self._fetcher is None:
            return
        for url, ids in self.fetched_from.items():
            if ids and stored(ids) < len(ids):
                self._fetcher.forget(url)
        self._fetcher.commit()

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None

    # -- files --------------------------------------------------------------------------------

    def _file(self, found: Found) -> Iterator[Article]:
        path, root, named, problem = found
        report = self.report
        if problem is not None:
            report.skipped.append(Failure(str(path), problem))
            return
        real = str(path.resolve())
        if real in self.read_as:  # a file read already, by this name or another (a symlink, a folder given twice)
            report.skipped.append(Failure(str(path), f"the same file as {self.read_as[real]}: read once"))
            return
        self.read_as[real] = str(path)
        suffix = suffix_of(path)
        if suffix in WARC_SUFFIXES:  # under a folder (a named one was recognised already)
            yield from self._live(str(path), "warc")
            return
        if not named and suffix not in SUPPORTED_SUFFIXES:
            report.skipped.append(Failure(str(path), f"not an article format ('{path.suffix}')"))
            return
        if suffix in LINES_SUFFIXES:
            yield from self._json_lines(path, root)
            return
        try:
            result = read_file(path, root, self.max_bytes, self.stored_ids)
        except ArticleReadError as exc:
            report.failed.append(Failure(str(path), str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - one unreadable file must not sink the others
            log.debug("reading %s failed", path, exc_info=True)
            report.failed.append(Failure(str(path), f"cannot be read ({type(exc).__name__}: {exc})"))
            return
        if not result.errors:
            self.files_read.add(real)
        for bad in result.errors:
            report.failed.append(Failure(f"{path} ({bad.where})", bad.reason))
        for note in result.warnings:
            report.warnings.append(Failure(f"{path} ({note.where})" if note.where else str(path), note.reason))
        for article in result.articles:
            if suffix in HTML_SUFFIXES:
                article = self._own_page(article, path, root)
            if self._first(article, str(path)):
                yield article

    def _json_lines(self, path: Path, root: Path) -> Iterator[Article]:
        """A JSONL export, a line at a time. It counts as read (for --prune) once read to its end
        with every line an article: a line that failed to read is not an article that is gone."""
        clean = True
        for item in stream_json_lines(path, root, self.max_bytes, self.stored_ids):
            if isinstance(item, Problem):
                clean = clean and item.kind != "failed"
                self._problem(item)
            elif self._first(item, str(path)):
                yield item
        if clean:
            self.files_read.add(str(path.resolve()))

    # -- feeds, sitemaps, WARC files ----------------------------------------------------------

    def _live(self, where: str, kind: SourceKind | None) -> Iterator[Article]:
        """A feed, sitemap or WARC file, or a URL. Their articles are never pruned for being
        missing from a later read: a feed or sitemap lists only what is current."""
        fetcher = None if kind == "warc" else self._fetcher_now()
        ids = self.fetched_from.setdefault(where, []) if is_url(where) else None
        for item in read_source(where, fetcher, known=self.known, kind=kind):
            if isinstance(item, Problem):
                self._problem(item)
            elif self._first(item, where):
                if ids is not None:
                    ids.append(item.id)
                yield item
            if self.stopping.is_set():
                return

    def _url(self, url: str) -> Iterator[Article]:
        """A feed or a sitemap (fetched once: its kind is told from the response), else a page."""
        fetcher = self._fetcher_now()
        try:
            kind = source_kind(url, fetcher)
        except FetchError as exc:
            self._problem(Problem(url, str(exc)))
            return
        if kind is not None:
            yield from self._live(url, kind)
            return
        page = fetch_page(fetcher, PageRef(url), self.known)  # takes the response source_kind kept
        if page.unchanged:
            self._problem(Problem(url, "unchanged since the last run (not modified): nothing new", "skipped"))
        for item in page.items:
            if isinstance(item, Problem):
                self._problem(item)
            elif self._first(item, url):
                self.fetched_from.setdefault(url, []).append(item.id)
                yield item

    def _fetcher_now(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(self.fetch_cache, self.fetch_policy, sleep=self._sleep)
        return self._fetcher

    def _sleep(self, seconds: float) -> None:
        """The fetcher's waits (politeness, backoff), cut short when the run is stopping."""
        if self.stopping.wait(seconds):
            raise FetchError("not fetched: the ingest is stopping")

    # -- bookkeeping --------------------------------------------------------------------------

    def _problem(self, problem: Problem) -> None:
        getattr(self.report, _REPORT_FIELD[problem.kind]).append(Failure(problem.where, problem.reason))

    def _own_page(self, article: Article, path: Path, root: Path) -> Article:
        """A saved page whose canonical URL an earlier page of this run, under another title, called
        canonical too (a section page's URL) is named by its path instead (see `without_url`)."""
        if article.url is None:
            return article
        title = self.page_titles.setdefault(article.id, article.title)
        return article if title == article.title else without_url(article, path, root)

    def _first(self, article: Article, where: str) -> bool:
        """Whether this is the first time this run meets `article.id`; a second time is reported."""
        earlier = self.seen.get(article.id)
        if earlier is None:
            self.seen[article.id] = (article.path or article.url or where, article.content_hash())
            return True
        same = earlier[1] == article.content_hash()
        (self.report.skipped if same else self.report.failed).append(Failure(
            article.url if is_url(where) and article.url else where,
            f"{'duplicate of' if same else 'id already used by'} article {article.id} from {earlier[0]}"))
        return False
