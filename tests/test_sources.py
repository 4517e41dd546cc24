"""How a command line tells a feed, a sitemap and a WARC file apart, and reads any of them."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from index.models import Article
from ingest.fetch import Fetcher, FetchPolicy
from ingest.items import Problem
from ingest.sources import read_source, source_kind
from tests.web_fake import HOSTS, FakeWeb, Reply, article_page, fake_web

LONG = " ".join(["The ferry service resumed on Monday after the strike ended over the weekend."] * 3)
FEED = ('<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Daily</title><link>https://daily.example/</link><item><title>Ferry</title>"
        f"<link>https://daily.example/ferry</link><content:encoded><![CDATA[<p>{LONG}</p>]]></content:encoded>"
        "</item></channel></rss>")
ATOM = '<?xml version="1.0"?>\n<!-- generated -->\n<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>'
SITEMAP = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
INDEX = '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></sitemapindex>'


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with fake_web() as site:
        yield site


def fetcher(cache: Path | None = None) -> Fetcher:
    return Fetcher(cache, FetchPolicy(host_delay=0.0, allow_hosts=HOSTS))


def _warc_bytes() -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record("x.warc.gz", {"software": "test"}))
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("crawl.warc.gz", b"anything", "warc"),
    ("crawl.warc", b"anything", "warc"),
    ("news.rss", b"anything", "feed"),
    ("news.atom", b"anything", "feed"),
    ("feed.xml", FEED.encode(), "feed"),
    ("feed.xml", ATOM.encode(), "feed"),
    ("sitemap.xml", SITEMAP.encode(), "sitemap"),
    ("anything.xml", INDEX.encode(), "sitemap"),
    ("sitemap.xml.gz", gzip.compress(SITEMAP.encode()), "sitemap"),
    ("data.bin", _warc_bytes(), "warc"),
    ("rss-like.txt", FEED.encode(), None),  # a text file stays a text file
    ("page.html", b"<html><body>x</body></html>", None),
    ("export.jsonl", b'{"title": "x"}\n', None),
    ("other.xml", b"<html><body>x</body></html>", None),
])
def test_files_are_recognised_by_suffix_or_first_bytes(tmp_path: Path, name: str, content: bytes, kind: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert source_kind(str(path)) == kind


def test_a_missing_file_is_no_source(tmp_path: Path) -> None:
    assert source_kind(str(tmp_path / "nope.rss")) is None


def test_a_url_is_sniffed_once_and_read_without_a_second_request(web: FakeWeb) -> None:
    web.serve("/news", Reply(body=FEED, content_type="application/xml"))
    web.serve("/map", Reply(body=SITEMAP, content_type="text/xml"))
    web.serve("/page", Reply(body=article_page("Ferry", LONG)))
    with fetcher() as client:
        assert source_kind(web.url("/news"), client) == "feed"
        items = list(read_source(web.url("/news"), client, kind="feed"))
        assert source_kind(web.url("/map"), client) == "sitemap"
        assert source_kind(web.url("/page"), client) is None
    assert [i.title for i in items if isinstance(i, Article)] == ["Ferry"]
    assert web.paths() == ["/robots.txt", "/news", "/map", "/page"]


def test_read_source_decides_by_itself_and_reports_what_it_cannot_read(web: FakeWeb, tmp_path: Path) -> None:
    web.serve("/news", Reply(body=FEED, content_type="application/rss+xml", etag='"1"'))
    web.serve("/page", Reply(body=article_page("Ferry", LONG)))
    with fetcher(tmp_path) as client:
        assert [type(i) for i in read_source(web.url("/news"), client)] == [Article]
        assert list(read_source(web.url("/page"), client)) == [
            Problem(web.url("/page"), "not a feed, a sitemap or a WARC file")]
        assert list(read_source(web.url("/gone"), client)) == [Problem(web.url("/gone"), "not found (HTTP 404)")]
        client.commit()
    with fetcher(tmp_path) as client:
        assert source_kind(web.url("/news"), client) == "feed"  # a 304: judged by its name
        assert [(p.reason, p.kind) for p in read_source(web.url("/news"), client) if isinstance(p, Problem)] == [
            ("unchanged since the last run (not modified): nothing new", "skipped")]
    assert web.paths().count("/news") == 2


def test_urls_without_a_fetcher_are_judged_by_their_path() -> None:
    assert source_kind("https://daily.example/feed/") == "feed"
    assert source_kind("https://daily.example/news.rss") == "feed"
    assert source_kind("https://daily.example/sitemap_index.xml") == "sitemap"
    assert source_kind("https://daily.example/2022/03/story") is None
