"""Web pages named by a feed entry or a sitemap, fetched politely and made into articles.

The link the feed or sitemap gives is the article's URL and id (`url_id(link)`), whatever the
page redirects to or calls canonical: the same entry gets the same id every run, and whether
it is stored already can be asked before anything is fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from index.models import Article
from ingest.errors import ArticleReadError, FetchError
from ingest.fetch import Fetcher
from ingest.formats import Page, extract_page
from ingest.items import Known, Problem, SourceItem, pick_date
from ingest.records import source_of, url_id

HTML_TYPES = {"text/html", "application/xhtml+xml"}
_HTML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)", re.I | re.S)


@dataclass(frozen=True)
class PageRef:
    """A page to fetch, with what the feed or sitemap says about it."""

    url: str
    title: str | None = None  # preferred to the page's own
    dates: tuple[object, ...] = ()  # publication dates from the feed or sitemap, best first
    hint: str | None = None  # a change marker (a sitemap's lastmod, an entry's updated date)
    source: str | None = None
    path: str | None = None  # the local feed or sitemap file it was listed in


@dataclass
class PageResult:
    items: list[SourceItem] = field(default_factory=list)  # the article and its warnings, or a problem
    unchanged: bool = False  # the site says it has not changed since the last run
    fetch_failed: bool = False  # worth trying again next run (the list it came from is re-read)


def looks_like_html(content_type: str, body: bytes) -> bool:
    """A declared HTML type, or no useful type and a body that starts like HTML."""
    if content_type in HTML_TYPES:
        return True
    return content_type in ("", "application/octet-stream", "text/plain") and bool(_HTML_START.match(body[:4096]))


def fetch_page(fetcher: Fetcher, ref: PageRef, known: Known | None) -> PageResult:
    """Fetch and extract one page. A page whose article is not stored (per `known`) is fetched
    in full; one that is, conditionally (a 304, or an unchanged hint, is `unchanged`)."""
    conditional = known(url_id(ref.url)) if known is not None else True
    try:
        fetched = fetcher.get(ref.url, conditional=conditional, hint=ref.hint)
    except FetchError as exc:
        return PageResult([Problem(ref.url, str(exc))], fetch_failed=True)
    if fetched.not_modified:
        return PageResult(unchanged=True)
    if not looks_like_html(fetched.content_type, fetched.body):
        return PageResult([Problem(ref.url, f"not an HTML page ({fetched.content_type or 'no content type'})",
                                   "skipped")])
    try:
        page = extract_page(fetched.body)
    except ArticleReadError as exc:
        return PageResult([Problem(ref.url, str(exc))])
    article, warning = page_article(page, ref, received=date.today())
    return PageResult([article, *([warning] if warning else [])])


def page_article(page: Page, ref: PageRef, *, received: date | None,
                 today: date | None = None) -> tuple[Article, Problem | None]:
    """The feed's or sitemap's title and dates first, the page's own after them."""
    published, warning = pick_date([*ref.dates, page.date], ref.url, today)
    text = page.text.strip()
    return Article(
        id=url_id(ref.url),
        title=(ref.title or page.title or "").strip() or " ".join(text.split()[:12]),
        text=text,
        published=published,
        url=ref.url,
        source=ref.source or source_of(ref.url),
        path=ref.path,
        received=received,
    ), warning
