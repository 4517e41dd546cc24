"""XML sitemaps and sitemap indexes (a file or a URL) as a stream of SourceItems (see
ingest/items.py).

    read_sitemap(source, fetcher, known=...) -> Iterator[Article | Problem]

A sitemap lists pages; each is fetched politely and extracted like an HTML file. A sitemap index
lists sitemaps, followed to `max_depth` levels and `max_sitemaps` documents at most (loops are
cut). Google News sitemaps give the title (`news:title`) and the publication date
(`news:publication_date`, read strictly; else the page's own). `lastmod` is a change marker:
a page whose lastmod has not changed since it was fetched, and whose article is stored, costs
no request; one without lastmod costs one conditional request.

A sitemap index is always fetched in full (its list of sitemaps may stay the same while they
change); a sitemap (a list of pages) conditionally, as a page. Sitemaps may be gzipped.

XML is parsed incrementally with lxml, with entities left unexpanded, no DTD, no network and
lxml's limits on huge documents; a document cut short keeps the entries before the break.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from ingest.errors import ArticleReadError, FetchError
from ingest.fetch import MB, Fetcher
from ingest.items import Known, Problem, SkipTally, SourceItem
from ingest.pages import PageRef, fetch_page
from ingest.records import is_http_url

# The sitemap protocol allows 50 MB (uncompressed) per sitemap, and 50,000 entries.
MAX_SITEMAP_BYTES = 52_428_800
UNCHANGED = "unchanged since the last run (not modified): nothing new"


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None = None
    title: str | None = None  # news:title
    published: str | None = None  # news:publication_date
    is_sitemap: bool = False  # an entry of a sitemap index: another sitemap


def read_sitemap(source: str | Path, fetcher: Fetcher | None, *, known: Known | None = None,
                 max_depth: int = 3, max_sitemaps: int = 1000, max_pages: int | None = None) -> Iterator[SourceItem]:
    """A sitemap or sitemap index from a local file or an http(s) URL; the pages it lists are
    fetched with `fetcher` (without one, only a problem is reported)."""
    if fetcher is None:
        yield Problem(str(source), "a sitemap lists web pages, and fetching is off")
        return
    yield from _Crawl(fetcher, known, max_depth, max_sitemaps, max_pages).run(str(source))


class _Crawl:
    def __init__(self, fetcher: Fetcher, known: Known | None, max_depth: int, max_sitemaps: int,
                 max_pages: int | None) -> None:
        self.fetcher = fetcher
        self.known = known
        self.max_depth = max_depth
        self.max_sitemaps = max_sitemaps
        self.max_pages = max_pages
        self.pages = 0
        self.tally = SkipTally()

    def run(self, root: str) -> Iterator[SourceItem]:
        todo: deque[tuple[str, int, str | None]] = deque([(root, 0, None)])  # (where, depth, lastmod)
        seen = {root}
        while todo:
            location, depth, lastmod = todo.popleft()
            children: list[SitemapEntry] = []
            yield from self._document(location, lastmod, children)
            for child in children:
                if child.loc in seen:
                    self.tally.add("sitemap{s} listed twice (or in a loop): read once", child.loc)
                elif depth + 1 > self.max_depth:
                    self.tally.add(f"sitemap{{s}} nested deeper than {self.max_depth} levels: not read", child.loc)
                elif len(seen) >= self.max_sitemaps:
                    self.tally.add(f"sitemap{{s}} beyond the first {self.max_sitemaps}: not read", child.loc)
                else:
                    seen.add(child.loc)
                    todo.append((child.loc, depth + 1, child.lastmod))
        yield from self.tally.problems(root)

    def _document(self, location: str, lastmod: str | None, children: list[SitemapEntry]) -> Iterator[SourceItem]:
        """The pages of one sitemap; the sitemaps of an index go to `children`."""
        try:
            stream = self._open(location, lastmod)
        except FetchError as exc:
            yield Problem(location, str(exc))
            return
        except ArticleReadError as exc:
            yield Problem(location, str(exc))
            return
        if stream is None:
            self.tally.add("sitemap{s} unchanged since the last run (not modified)", location)
            return
        retry = False
        entries = 0
        try:
            with stream:
                for entry in parse_sitemap(stream):
                    entries += 1
                    if entry.is_sitemap:
                        children.append(entry)
                        continue
                    if self.max_pages is not None and self.pages >= self.max_pages:
                        self.tally.add(f"page{{s}} beyond the first {self.max_pages}: not read", entry.loc)
                        continue
                    self.pages += 1
                    result = fetch_page(self.fetcher, PageRef(
                        entry.loc, entry.title, (entry.published,), entry.lastmod,
                        path=None if is_http_url(location) else str(Path(location).resolve()),
                    ), self.known)
                    if result.unchanged:
                        self.tally.add("page{s} unchanged since the last run (not modified)", "")
                    retry = retry or result.fetch_failed
                    yield from result.items
        except ArticleReadError as exc:
            kept = f"; the {entries} entries before it were read" if entries else ""
            yield Problem(location, f"{exc}{kept}")
        if is_http_url(location) and (children or retry):
            # An index is read in full every run; a sitemap with pages that failed, next run.
            self.fetcher.forget(location)

    def _open(self, location: str, lastmod: str | None) -> _Capped | None:
        """The document, uncompressed and capped; None when it has not changed."""
        if is_http_url(location):
            fetched = self.fetcher.get(location, hint=lastmod, max_bytes=MAX_SITEMAP_BYTES)
            if fetched.not_modified:
                return None
            return _uncompressed(io.BytesIO(fetched.body))
        try:
            return _uncompressed(open(location, "rb"))  # closed by the caller
        except OSError as exc:
            raise ArticleReadError(f"cannot read file: {exc.strerror or exc}") from exc


def parse_sitemap(stream: IO[bytes] | io.RawIOBase) -> Iterator[SitemapEntry]:
    """Entries as they are parsed. Raises ArticleReadError for a document that is not a sitemap,
    or at the point where it stops being well-formed XML."""
    from lxml import etree

    events = etree.iterparse(
        stream, events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False,
        dtd_validation=False, huge_tree=False, remove_comments=True, remove_pis=True,
    )
    root: Any = None
    try:
        for event, element in events:
            if not isinstance(element.tag, str):
                continue
            name = etree.QName(element).localname
            if root is None:
                if name not in ("urlset", "sitemapindex"):
                    raise ArticleReadError(f"not a sitemap (its root element is <{name}>)")
                root = element
                continue
            if event != "end" or element.getparent() is not root or name not in ("url", "sitemap"):
                continue
            entry = _entry(element, is_sitemap=name == "sitemap")
            # Parsed entries are dropped from the tree, so memory stays flat.
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del root[0]
            if entry is not None:
                yield entry
    except etree.XMLSyntaxError as exc:
        raise ArticleReadError(f"not well-formed XML ({exc})") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise ArticleReadError(f"the compressed sitemap is cut short or corrupt ({exc})") from None
    if root is None:
        raise ArticleReadError("empty document, not a sitemap")


def _entry(element: Any, is_sitemap: bool) -> SitemapEntry | None:
    from lxml import etree

    fields: dict[str, str] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name in ("loc", "lastmod"):
            fields[name] = (child.text or "").strip()
        elif name == "news":  # Google News: <news:news><news:title>, <news:publication_date>
            for part in child:
                if isinstance(part.tag, str) and etree.QName(part).localname in ("title", "publication_date"):
                    fields[etree.QName(part).localname] = (part.text or "").strip()
    loc = fields.get("loc", "")
    if not is_http_url(loc):
        return None
    return SitemapEntry(loc, fields.get("lastmod") or None, fields.get("title") or None,
                        fields.get("publication_date") or None, is_sitemap)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class _Capped(io.RawIOBase):
    """Reads at most `limit` bytes from a (decompressing) stream, then fails: a gzip bomb stops there."""

    def __init__(self, inner: _Readable, limit: int) -> None:
        self.inner = inner
        self.limit = limit
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size if size >= 0 else self.limit + 1)
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            raise ArticleReadError(f"the sitemap is larger than {self.limit / MB:.0f} MB uncompressed")
        return data

    def close(self) -> None:
        self.inner.close()
        super().close()


def _uncompressed(raw: io.BufferedReader | io.BytesIO) -> _Capped:
    head = raw.peek(2)[:2] if isinstance(raw, io.BufferedReader) else raw.getvalue()[:2]
    inner: _Readable = gzip.GzipFile(fileobj=raw, mode="rb") if head == b"\x1f\x8b" else raw
    return _Capped(inner, MAX_SITEMAP_BYTES)
