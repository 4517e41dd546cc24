"""Which live source an argument names, and one entry point that reads any of them.

    source_kind(arg, fetcher=None) -> "feed" | "sitemap" | "warc" | None
    read_source(arg, fetcher, known=...) -> Iterator[Article | Problem]

A local file is recognised by its suffix (`.warc`, `.warc.gz`, `.rss`, `.atom`) or, for `.xml`,
`.xml.gz` and unknown suffixes, by its first bytes (a WARC header; the root element of XML:
<rss>, <rdf:RDF> or <feed> for a feed, <urlset> or <sitemapindex> for a sitemap). An http(s)
URL is fetched and sniffed the same way, from its Content-Type and its first bytes; the
response is kept, so reading it next costs no second request. None: not a live source (an HTML
page, a text file, a JSON export: the file formats' business (`ingest.formats`)).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from ingest.errors import FetchError
from ingest.fetch import Fetcher
from ingest.items import Known, Problem, SourceItem
from ingest.records import is_http_url

SourceKind = Literal["feed", "sitemap", "warc"]

SNIFF_BYTES = 65_536
MAX_DOCUMENT_BYTES = 52_428_800  # a sitemap may be 50 MB; the response is kept for its reader
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
_XML_SUFFIXES = (".xml", ".xml.gz")
_FEED_SUFFIXES = (".rss", ".atom")
_ROOTS: dict[str, SourceKind] = {"rss": "feed", "rdf": "feed", "feed": "feed",
                                 "urlset": "sitemap", "sitemapindex": "sitemap"}
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FIRST_ELEMENT = re.compile(r"<(?![?!])(?:[\w.-]+:)?([\w.-]+)")
# Other suffixes the file formats own: never sniffed, so a .txt that starts with <rss> stays text.
_READER_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".html", ".htm", ".xhtml", ".json",
                    ".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")


def sniff_kind(head: bytes, content_type: str = "") -> SourceKind | None:
    """The kind of a document from its first bytes (gzipped or not) and its media type."""
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(wbits=47).decompress(head, SNIFF_BYTES)
        except zlib.error:
            return None
    if head.startswith(b"WARC/"):
        return "warc"
    text = _COMMENT.sub("", head[:SNIFF_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff"))
    first = _FIRST_ELEMENT.search(text)
    if first and first.group(1).lower() in _ROOTS:
        return _ROOTS[first.group(1).lower()]
    if content_type in _FEED_TYPES:
        return "feed"
    if content_type == "application/warc":
        return "warc"
    return None


def source_kind(arg: str, fetcher: Fetcher | None = None) -> SourceKind | None:
    """What `arg` (a file path or an http(s) URL) is. A URL is fetched with `fetcher` (raising
    FetchError when it cannot be); without one, or when the site answers "not modified" (a feed
    or a sitemap read in an earlier run), it is judged by its path alone."""
    if is_http_url(arg):
        if fetcher is not None:
            fetched = fetcher.get(arg, keep=True, max_bytes=MAX_DOCUMENT_BYTES)
            if not fetched.not_modified:
                return sniff_kind(fetched.body[:SNIFF_BYTES], fetched.content_type)
        return _kind_from_name(urlsplit(arg).path, default="feed" if fetcher is not None else None)
    path = Path(arg)
    name = path.name.lower()
    if name.endswith(_READER_SUFFIXES) or not path.is_file():
        return None
    by_name = _kind_from_name(name)
    if by_name is not None and not name.endswith(_XML_SUFFIXES):
        return by_name
    try:
        with path.open("rb") as handle:
            return sniff_kind(handle.read(SNIFF_BYTES))
    except OSError:
        return None


def _kind_from_name(name: str, default: SourceKind | None = None) -> SourceKind | None:
    name = name.lower()
    if name.endswith(".warc") or name.endswith(".warc.gz"):
        return "warc"
    if name.endswith(_FEED_SUFFIXES) or re.search(r"/(feed|rss|atom)(/|$)", name):
        return "feed"
    if "sitemap" in name.rsplit("/", 1)[-1]:
        return "sitemap"
    return default


def read_source(arg: str, fetcher: Fetcher | None, *, known: Known | None = None,
                kind: SourceKind | None = None) -> Iterator[SourceItem]:
    """Every item of the feed, sitemap or WARC file `arg` names (`kind` when known already)."""
    from ingest.feeds import read_feed
    from ingest.sitemaps import read_sitemap
    from ingest.warc import read_warc

    if kind is None:
        try:
            kind = source_kind(arg, fetcher)
        except FetchError as exc:
            yield Problem(arg, str(exc))
            return
    if kind == "feed":
        yield from read_feed(arg, fetcher, known=known)
    elif kind == "sitemap":
        yield from read_sitemap(arg, fetcher, known=known)
    elif kind == "warc" and not is_http_url(arg):
        yield from read_warc(Path(arg))
    elif kind == "warc":
        yield Problem(arg, "a WARC file is read from disk: download it, then ingest the file")
    else:
        yield Problem(arg, "not a feed, a sitemap or a WARC file")
