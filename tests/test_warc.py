"""WARC archives built here with warcio: HTML responses become articles with their capture
day and target URL; everything else is counted and reported once; a broken file keeps the
records before the break."""

from __future__ import annotations

import gzip
import io
import random
import tracemalloc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from index.models import Article
from ingest.items import Problem, SourceItem
from ingest.records import url_id
from ingest.warc import read_warc
from tests.web_fake import NAV_PAGE, article_page

STORY = ("The city council approved the new tram line on Wednesday after a two-year consultation.\n\n"
         "Work begins next spring and the first trams should run by the end of the following year.")


class Archive:
    def __init__(self, path: Path, gzipped: bool) -> None:
        self.path = path
        self.handle = path.open("wb")
        self.writer = WARCWriter(self.handle, gzip=gzipped)

    def response(self, uri: str, body: bytes | str, *, status: str = "200 OK", captured: str = "2021-03-04T05:06:07Z",
                 content_type: str = "text/html; charset=utf-8", headers: tuple[tuple[str, str], ...] = ()) -> None:
        payload = body.encode() if isinstance(body, str) else body
        http = StatusAndHeaders(status, [("Content-Type", content_type), *headers], protocol="HTTP/1.1")
        self.writer.write_record(self.writer.create_warc_record(
            uri, "response", payload=io.BytesIO(payload), http_headers=http,
            warc_headers_dict={"WARC-Date": captured}))

    def request(self, uri: str) -> None:
        http = StatusAndHeaders(f"GET {uri} HTTP/1.1", [("Host", "daily.example")], is_http_request=True)
        self.writer.write_record(self.writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=http))

    def revisit(self, uri: str) -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        self.writer.write_record(self.writer.create_revisit_record(
            uri, "sha1:AAAA", uri, "2021-03-04T05:06:07Z", http_headers=http,
            warc_headers_dict={"WARC-Date": "2021-04-01T00:00:00Z"}))

    def close(self) -> None:
        self.handle.close()


def split(items: Iterator[SourceItem]) -> tuple[list[Article], list[Problem]]:
    got = list(items)
    return [i for i in got if isinstance(i, Article)], [i for i in got if isinstance(i, Problem)]


def build_crawl(path: Path, gzipped: bool) -> None:
    archive = Archive(path, gzipped)
    archive.writer.write_record(archive.writer.create_warcinfo_record(path.name, {"software": "test"}))
    archive.request("https://www.daily.example/tram")
    archive.response("https://www.daily.example/tram", article_page("Tram line approved", STORY))
    archive.response("https://www.daily.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, content_type="image/png")
    archive.response("https://www.daily.example/old", article_page("Gone", STORY), status="404 Not Found")
    archive.revisit("https://www.daily.example/tram")
    archive.response("https://www.daily.example/", NAV_PAGE)
    archive.response("https://www.daily.example/budget", article_page("Budget passes", STORY, published="2021-02-26"),
                     captured="2021-03-05T10:00:00Z")
    archive.response("https://www.daily.example/zipped", gzip.compress(article_page("Zipped", STORY).encode()),
                     headers=(("Content-Encoding", "gzip"),), captured="2021-03-06T10:00:00Z")
    archive.response("https://www.daily.example/later", article_page("Time travel", STORY, published="2021-06-01"),
                     captured="2021-03-06T10:00:00Z")
    archive.response("https://daily.example/tram/", article_page("Tram line approved (updated)", STORY),
                     captured="2021-05-01T10:00:00Z")  # the same URL, normalised, captured again
    archive.close()


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_html_responses_become_articles_with_their_capture_day(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    build_crawl(path, gzipped=name.endswith(".gz"))
    articles, problems = split(read_warc(path))
    assert [(a.title, a.url, a.received, a.published) for a in articles] == [
        ("Tram line approved", "https://www.daily.example/tram", date(2021, 3, 4), None),
        ("Budget passes", "https://www.daily.example/budget", date(2021, 3, 5), date(2021, 2, 26)),
        ("Zipped", "https://www.daily.example/zipped", date(2021, 3, 6), None),
        ("Time travel", "https://www.daily.example/later", date(2021, 3, 6), None),
    ]
    tram = articles[0]
    assert tram.id == url_id("https://www.daily.example/tram") and tram.source == "daily.example"
    assert tram.available == date(2021, 3, 4)  # undated: the capture day stands in for as-of questions
    assert tram.path == str(path.resolve()) and tram.text.startswith("The city council approved")
    assert [(p.kind, p.count, p.reason.split(" (e.g.")[0]) for p in problems] == [
        ("warning", 1, "stored undated: the date 2021-06-01 is in the future"),  # after its capture
        ("skipped", 1, "1 non-HTML response: skipped"),
        ("skipped", 1, "1 response other than 200 OK: skipped"),
        ("skipped", 1, "1 revisit record (captures of an unchanged page): skipped"),
        ("failed", 1, "1 page without article text (navigation, index or consent pages?)"),
        ("skipped", 1, "1 later capture of a URL already read: skipped"),
    ]
    assert "https://www.daily.example/logo.png (image/png)" in problems[1].reason
    assert "https://www.daily.example/old (404)" in problems[2].reason


@pytest.mark.parametrize("name", ["cut.warc.gz", "cut.warc"])
def test_a_warc_cut_short_keeps_the_records_before_the_break(tmp_path: Path, name: str) -> None:
    whole = tmp_path / ("whole" + name.removeprefix("cut"))
    archive = Archive(whole, gzipped=name.endswith(".gz"))
    for n in range(3):
        archive.response(f"https://daily.example/{n}", article_page(f"Story {n}", STORY))
    archive.close()
    data = whole.read_bytes()
    # In the last record's content, in its header, and in the middle of the third record.
    for cut in (len(data) - 40, len(data) * 5 // 6, len(data) * 2 // 3 + 5):
        path = tmp_path / name
        path.write_bytes(data[:cut])
        articles, problems = split(read_warc(path))
        assert [a.title for a in articles] == ["Story 0", "Story 1"], cut
        assert len(problems) == 1 and problems[0].where == str(path)
        assert problems[0].reason.startswith("the WARC file is cut short or corrupt")
        assert problems[0].reason.endswith("the 2 records before the break were read")


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "file is empty"),
    (b"hello, this is not a web archive\n\nat all\n", "not a WARC file"),
    (gzip.compress(b"just some text"), "not a WARC file"),
])
def test_a_file_that_is_no_warc_is_one_problem(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "x.warc.gz"
    path.write_bytes(content)
    items = list(read_warc(path))
    assert len(items) >= 1 and isinstance(items[0], Problem) and items[0].reason.startswith(reason)
    assert not any(isinstance(i, Article) for i in items)


def test_a_page_above_the_record_limit_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    archive = Archive(path, gzipped=True)
    archive.response("https://daily.example/huge", article_page("Huge", STORY + "\n\n" + "word " * 5000))
    archive.response("https://daily.example/small", article_page("Small", STORY))
    archive.close()
    articles, problems = split(read_warc(path, max_record_bytes=10_000))
    assert [a.title for a in articles] == ["Small"]
    assert [p.reason.split(" (e.g.")[0] for p in problems] == ["1 page above the 0.01 MB limit: skipped"]


def test_a_large_archive_is_read_record_by_record(tmp_path: Path) -> None:
    path = tmp_path / "images.warc.gz"
    archive = Archive(path, gzipped=True)
    archive.response("https://daily.example/first", article_page("First", STORY))
    blob = random.Random(0).randbytes(2_000_000)  # does not compress
    for n in range(10):
        archive.response(f"https://daily.example/{n}.jpg", blob, content_type="image/jpeg")
    archive.response("https://daily.example/last", article_page("Last", STORY))
    archive.close()
    assert path.stat().st_size > 20_000_000
    tracemalloc.start()
    try:
        items = read_warc(path)
        first = next(items)
        assert isinstance(first, Article) and first.title == "First"
        rest = list(items)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [a.title for a in rest if isinstance(a, Article)] == ["Last"]
    assert peak < 5_000_000  # the 20 MB of images are streamed past, never held
