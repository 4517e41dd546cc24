"""RSS and Atom feeds (a file or a URL) as a stream of SourceItems (see ingest/items.py).

    read_feed(source, fetcher, known=...) -> Iterator[Article | Problem]

For each entry, in feed order:

- its full text, when the entry carries the whole article (content:encoded, Atom content) with
  at least MIN_HTML_WORDS words of main text after the same extraction as an HTML page;
- else its link's page, fetched politely and extracted like an HTML file (a feed's summary is
  a teaser, never taken for the article, unless the entry has no link at all).

Title and dates come from the entry (published, else updated; read strictly: a bad or future
date is a warning and the article is undated), then from the page. The article's id is
`url_id(link)`, its source the link's host.

A feed that cannot be parsed at all is one problem; a broken entry is one problem and the
others are kept. A feed URL answering 304 yields one "unchanged" note and nothing else; entries
whose pages have not changed cost one conditional request at most (none when their updated
date is unchanged), and are summed up in one note. When an entry's page could not be fetched,
the feed is read in full again next run (its validators are forgotten), so the entry is retried.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from index.models import Article
from ingest.errors import ArticleReadError, FetchError
from ingest.fetch import MB, Fetcher
from ingest.formats import MIN_HTML_WORDS, extract_page
from ingest.items import Known, Problem, SourceItem, pick_date
from ingest.pages import PageRef, PageResult, fetch_page
from ingest.records import is_http_url, modified_day, path_id, source_of, url_id

MAX_FEED_BYTES = 20 * MB
UNCHANGED = "unchanged since the last run (not modified): nothing new"
_TAG = re.compile(r"<[^>]+>")


def read_feed(source: str | Path, fetcher: Fetcher | None = None, *, known: Known | None = None,
              max_bytes: int = MAX_FEED_BYTES) -> Iterator[SourceItem]:
    """A feed from a local file or an http(s) URL. `fetcher` fetches the URL and the entries'
    pages; without one, entries that carry no full text are reported, not fetched."""
    origin = str(source)
    if isinstance(source, str) and is_http_url(source):
        if fetcher is None:
            yield Problem(origin, "a feed URL needs fetching, and fetching is off")
            return
        try:
            fetched = fetcher.get(source)
        except FetchError as exc:
            yield Problem(origin, str(exc))
            return
        if fetched.not_modified:
            yield Problem(origin, UNCHANGED, "skipped")
            return
        yield from feed_items(fetched.body, origin, fetcher, known=known, base=fetched.final_url)
        return
    path = Path(source)
    try:
        body = _read_file(path, max_bytes)
    except ArticleReadError as exc:
        yield Problem(origin, str(exc))
        return
    yield from feed_items(body, origin, fetcher, known=known, path=path.resolve(), received=modified_day(path))


def feed_items(body: bytes, origin: str, fetcher: Fetcher | None, *, known: Known | None = None,
               base: str | None = None, path: Path | None = None,
               received: date | None = None) -> Iterator[SourceItem]:
    """The entries of a feed document already in hand. `origin` names it in problems; `base`
    resolves relative links; `path` is the local feed file, if any; `received` the day its
    full-text entries count as received (default: today)."""
    import feedparser

    if not body.strip():
        yield Problem(origin, "the feed is empty")
        return
    headers = {"content-location": base} if base else {}
    # A file-like object: feedparser would take bytes that look like a path for a file name.
    # No sanitizing or link rewriting of the HTML: only its text is kept, and that costs half the time.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    entries = parsed.entries
    trouble = _bozo_reason(parsed)
    if not entries:
        if trouble:
            yield Problem(origin, f"not a readable feed ({trouble})")
        elif not parsed.get("version"):
            yield Problem(origin, "not an RSS or Atom feed")
        else:
            yield Problem(origin, "the feed has no entries", "skipped")
        return
    if trouble:
        read = "its 1 readable entry was" if len(entries) == 1 else f"its {len(entries)} readable entries were"
        yield Problem(origin, f"the feed is not well-formed ({trouble}); {read} read", "warning")
    reader = _EntryReader(origin, fetcher, known, parsed.get("feed", {}), path, received or date.today())
    unchanged = 0
    retry_feed = False
    for number, entry in enumerate(entries, start=1):
        where = str(entry.get("link") or f"{origin} (entry {number})")
        try:
            result = reader.read(entry, number)
        except Exception as exc:  # noqa: BLE001 - one odd entry must not sink the feed
            yield Problem(where, f"entry cannot be read ({type(exc).__name__}: {exc})")
            continue
        unchanged += result.unchanged
        retry_feed = retry_feed or result.fetch_failed
        yield from result.items
    if unchanged:
        yield Problem(origin, f"{unchanged} entr{'y' if unchanged == 1 else 'ies'} unchanged since the "
                              "last run (not modified)", "skipped", unchanged)
    if retry_feed and fetcher is not None and is_http_url(origin):
        fetcher.forget(origin)


class _EntryReader:
    def __init__(self, origin: str, fetcher: Fetcher | None, known: Known | None, feed: Any,
                 path: Path | None, received: date) -> None:
        self.origin = origin
        self.fetcher = fetcher
        self.known = known
        self.path = str(path) if path else None
        self.received = received
        feed_link = str(feed.get("link") or "")
        self.feed_source = source_of(feed_link) or source_of(origin) or _plain(feed.get("title")) or None

    def read(self, entry: Any, number: int) -> PageResult:
        link = str(entry.get("link") or "").strip()
        if not is_http_url(link):
            link = ""
        title = _plain(entry.get("title"))
        dates = (entry.get("published"), entry.get("updated"))
        source = source_of(link) or self.feed_source
        text = _full_text(entry.get("content") or [])
        if text is None and not link:  # nothing else to go on: a long summary is the article
            text = _full_text([entry["summary_detail"]] if entry.get("summary_detail") else [])
        where = link or f"{self.origin} (entry {number})"
        if text is not None:
            own = url_id(link) if link else path_id(f"{self.origin}#{entry.get('id') or title or number}")
            published, warning = pick_date(dates, where)
            article = Article(id=own, title=title or " ".join(text.split()[:12]), text=text,
                              published=published, url=link or None, source=source, path=self.path,
                              received=self.received)
            return PageResult([article, *([warning] if warning else [])])
        if not link:
            return PageResult([Problem(where, "the entry has neither article text nor a link")])
        if self.fetcher is None:
            return PageResult([Problem(where, "the entry has no full text, and its page is not fetched "
                                           "(fetching is off)")])
        hint = str(entry.get("updated") or entry.get("published") or "") or None
        ref = PageRef(link, title or None, dates, hint, source, self.path)
        page = fetch_page(self.fetcher, ref, self.known)
        return page


def _full_text(contents: list[Any]) -> str | None:
    """The longest content of an entry, when it is a whole article (MIN_HTML_WORDS or more)."""
    best: str | None = None
    for content in contents:
        value = str(content.get("value") or "")
        kind = str(content.get("type") or "text/html")
        if "html" in kind:
            try:
                text = extract_page(f"<html><body><article>{value}</article></body></html>",
                                    metadata=False).text.strip()
            except ArticleReadError:
                continue
        else:
            text = value.strip()
            if len(text.split()) < MIN_HTML_WORDS:
                continue
        if best is None or len(text) > len(best):
            best = text
    return best


def _plain(value: Any) -> str:
    """A title as text: feedparser keeps the markup of HTML titles."""
    return html.unescape(_TAG.sub("", str(value or ""))).strip()


def _bozo_reason(parsed: Any) -> str:
    """Why feedparser found the document malformed; "" when it did not, or only doubted the
    declared character encoding or media type (the feed is read fine then)."""
    import feedparser

    if not parsed.get("bozo"):
        return ""
    problem = parsed.get("bozo_exception")
    if isinstance(problem, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType):
        return ""
    return str(problem or "malformed").replace("<unknown>:", "at line ")


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleReadError(f"file is {size / MB:.1f} MB, above the {max_bytes / MB:g} MB limit for a feed")
        if size == 0:
            raise ArticleReadError("file is empty")
        return path.read_bytes()
    except OSError as exc:
        raise ArticleReadError(f"cannot read file: {exc.strerror or exc}") from exc

