"""Feeds, sitemaps and WARC files through `newsdesk ingest`, alongside files, against a fake web
site on 127.0.0.1: every problem reported once, nothing good lost, an interrupted run loses
nothing, and a prune never removes what was read from the web."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.runtime import Runtime
from bot.settings import load_settings
from index.encoders.embedder import HashingEmbedder, SentenceTransformerEmbedder
from index.errors import UserInputError
from index.store import ArchiveStore, IndexSpec, open_client
from ingest import encoding
from ingest.chunking import create_chunker
from ingest.errors import IngestStopped
from ingest.fetch import CACHE_FILE, FetchPolicy
from ingest.files import as_sources, check_paths
from ingest.pipeline import ingest
from ingest.progress import IngestProgress
from ingest.reading import ArticleSource
from ingest.records import url_id
from ingest.report import IngestReport
from tests.conftest import SEED_FILE
from tests.test_warc import build_crawl
from tests.web_fake import ALLOW_HOSTS_ENV, HOSTS, NAV_PAGE, FakeWeb, Reply, article_page, fake_web

runner = CliRunner()
FAST = {"NEWSDESK_INGEST_FETCH_DELAY": "0", "NEWSDESK_INGEST_FETCH_TIMEOUT": "1.5", **ALLOW_HOSTS_ENV}
STORY = ("The harbour authority reopened the northern quay on Tuesday after repairs to the sea wall.\n\n"
         "Fishing boats had been mooring at the southern quay since the storm in January.")


def rss(web: FakeWeb, *entries: tuple[str, str | None]) -> str:
    """An RSS feed whose entries link to `path`s of the fake site (with a pubDate when given)."""
    items = "".join(
        f"<item><title>Story {path}</title><link>{web.url(path)}</link>"
        + (f"<pubDate>{date}</pubDate>" if date else "") + "</item>"
        for path, date in entries
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Daily</title>{items}</channel></rss>'


def invoke(*args: str, home: Path) -> tuple[int, dict[str, object]]:
    done = runner.invoke(app, ["ingest", *args, "--json", "--data-dir", str(home)], env=FAST,
                         catch_exceptions=False)
    return done.exit_code, json.loads(done.stdout)


def paths_of(report: dict[str, object], field: str) -> list[str]:
    return sorted(str(f["path"]) for f in report[field])  # type: ignore[attr-defined]


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with fake_web() as site:
        yield site


def test_feeds_and_files_in_one_ingest_each_problem_once_nothing_good_lost(
    tmp_path: Path, web: FakeWeb, embedder: SentenceTransformerEmbedder
) -> None:
    web.serve("/good.xml", Reply(body=rss(web, ("/a", "Tue, 01 Mar 2022 09:00:00 GMT"),
                                          ("/d", "Wed, 02 Mar 2022 09:00:00 GMT")),
                                 content_type="application/rss+xml", etag='"good-1"'))
    web.serve("/mixed.xml", Reply(body=rss(web, ("/b", None), ("/c", None), ("/e", None), ("/f", None)),
                                  content_type="application/rss+xml"))
    web.serve("/broken.xml", Reply(body='<?xml version="1.0"?><rss version="2.0"><channel><title>Dai',
                                   content_type="application/rss+xml"))  # cut short: malformed
    web.serve("/a", Reply(body=article_page("Quay reopens", STORY)))
    web.serve("/b", Reply(500, "down"))
    web.serve("/c", Reply(body=article_page("Slow", STORY), delay=5))  # beyond the 1.5 s timeout
    web.serve("/d", Reply(301, headers={"Location": "/d2"}))
    web.serve("/d2", Reply(body=article_page("Sea wall repaired", STORY.replace("Tuesday", "Monday"))))
    web.serve("/e", Reply(body=NAV_PAGE))
    web.serve("/f", Reply(body=article_page("Boats return", STORY.replace("northern", "eastern")), etag='"f-1"'))
    web.serve("/g", Reply(body=article_page("Ferry timetable", STORY.replace("northern", "western"))))  # one page
    web.serve("/logo.png", Reply(body=b"\x89PNG\r\n", content_type="image/png"))
    home = tmp_path / "home"
    feeds = [web.url("/good.xml"), web.url("/mixed.xml"), web.url("/broken.xml"), web.url("/g"), web.url("/logo.png")]

    code, first = invoke(str(SEED_FILE), *feeds, home=home)
    assert code == 1  # something failed
    assert first["added"] == 5  # the seed file, /a, /d (through its redirect), /f and the page /g
    assert [(s["path"], s["error"]) for s in first["skipped"]] == [  # type: ignore[attr-defined]
        (web.url("/logo.png"), "not an HTML page (image/png)")]
    assert paths_of(first, "failed") == sorted([web.url("/b"), web.url("/c"), web.url("/e"), web.url("/broken.xml")])
    reasons = {str(f["path"]).rsplit("/", 1)[-1]: str(f["error"]) for f in first["failed"]}  # type: ignore[attr-defined]
    assert "server error (HTTP 500) (tried 3 times)" in reasons["b"]
    assert "no answer within 1.5 s" in reasons["c"]
    assert "no article text found" in reasons["e"]
    assert "not a readable feed" in reasons["broken.xml"]
    store = Runtime(load_settings(home=home), embedder=embedder).store
    stored = store.get_articles([url_id(web.url(p)) for p in ("/a", "/d", "/f", "/g")])
    assert {a.title for a in stored.values()} == {"Story /a", "Story /d", "Story /f", "Ferry timetable"}
    assert all(a.path is None and a.url for a in stored.values())  # read from the web: no file

    code, second = invoke(str(SEED_FILE), *feeds, home=home)
    assert (second["added"], second["updated"]) == (0, 0)
    assert web.requests_to("/good.xml")[-1].status == 304  # unchanged: one request, nothing read
    assert len(web.requests_to("/a")) == 1  # its date did not change: no request at all
    assert web.requests_to("/f")[-1].headers.get("if-none-match") == '"f-1"'
    assert web.requests_to("/f")[-1].status == 304
    assert paths_of(second, "failed") == paths_of(first, "failed")  # tried again, reported once each
    assert len(web.requests_to("/mixed.xml")) == 2  # read in full again: some of its entries failed


def test_a_warc_file_named_or_in_a_folder_is_ingested(tmp_path: Path) -> None:
    crawl = tmp_path / "crawls" / "crawl.warc.gz"
    crawl.parent.mkdir()
    build_crawl(crawl, gzipped=True)
    shutil.copy(SEED_FILE, crawl.parent / SEED_FILE.name)
    home = tmp_path / "home"

    code, report = invoke(str(crawl.parent), home=home)
    assert code == 1  # the navigation page has no article text: failed, summed up once
    assert report["added"] == 5  # the seed file and four pages of the crawl
    assert paths_of(report, "failed") == [str(crawl)]
    assert any("non-HTML response" in str(s["error"]) for s in report["skipped"])  # type: ignore[attr-defined]

    code, again = invoke(str(crawl), home=home)  # named: the same articles, unchanged
    assert (again["added"], again["unchanged"]) == (0, 4)
    asked = runner.invoke(app, ["ask", "--json", "When does work on the tram line begin?", "--as-of", "2021-12-31",
                                "--data-dir", str(home)], catch_exceptions=False)
    answer = json.loads(asked.stdout)
    assert any(c["url"].startswith("https://www.daily.example/") and "Work begins next spring" in c["quote"]
               for c in answer["citations"])


def test_prune_never_removes_articles_read_from_the_web(
    tmp_path: Path, web: FakeWeb, embedder: SentenceTransformerEmbedder
) -> None:
    web.serve("/feed.xml", Reply(body=rss(web, ("/a", None)), content_type="application/rss+xml"))
    web.serve("/a", Reply(body=article_page("Quay reopens", STORY)))
    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(SEED_FILE, folder / "seed.txt")
    crawl = folder / "crawl.warc"
    build_crawl(crawl, gzipped=False)
    home = tmp_path / "home"
    _, first = invoke(str(folder), web.url("/feed.xml"), home=home)
    assert first["added"] == 6  # seed, four crawl pages, one feed page

    web.serve("/feed.xml", Reply(body=rss(web), content_type="application/rss+xml"))  # the feed moved on
    (folder / "seed.txt").unlink()
    code, pruned = invoke(str(folder), web.url("/feed.xml"), "--prune", "--yes", home=home)
    assert pruned["removed"] == 1  # the deleted file's article only

    crawl.unlink()  # the crawl file deleted: its articles are gone too, like any file's
    _, last = invoke(str(folder), "--prune", "--yes", home=home)
    assert last["removed"] == 4
    store = Runtime(load_settings(home=home), embedder=embedder).store
    assert list(store.article_states()) == [url_id(web.url("/a"))]  # the web article stays


def test_an_interrupted_run_keeps_its_articles_and_the_next_fetches_again(
    tmp_path: Path, web: FakeWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encoding, "ENCODE_BATCH_CHUNKS", 2)  # several batches: stopped after the first
    paths = [f"/p{i}" for i in range(6)]
    web.serve("/feed.xml", Reply(body=rss(web, *((p, None) for p in paths)), content_type="application/rss+xml",
                                 etag='"feed-1"'))
    for i, path in enumerate(paths):
        web.serve(path, Reply(body=article_page(f"Story {i}", STORY.replace("Tuesday", f"day {i}")), etag=f'"{i}"'))
    store = ArchiveStore.open(open_client(load_settings(home=tmp_path / "home").store),
                              IndexSpec("hashing-fake", 40, 0, "cl100k_base"))
    embedder = HashingEmbedder()
    chunker = create_chunker(40, 0, "cl100k_base", embedder.max_tokens, embedder.count_tokens)
    stop = threading.Event()

    class StopAfterFirstBatch:
        def update(self, state: IngestProgress) -> None:
            if state.encoded:
                stop.set()

    def run(**kwargs: object) -> IngestReport:
        return ingest([web.url("/feed.xml")], store, embedder, chunker, max_bytes=1_000_000,
                      fetch_cache=tmp_path / "home", fetch_policy=FetchPolicy(host_delay=0, allow_hosts=HOSTS), **kwargs)  # type: ignore[arg-type]

    with pytest.raises(IngestStopped):
        run(stop=stop, progress=StopAfterFirstBatch())
    kept = store.counts()[0]
    assert 0 < kept < 6  # the batch encoded before the stop is stored
    with sqlite3.connect(tmp_path / "home" / CACHE_FILE) as db:
        assert db.execute("SELECT count(*) FROM validators").fetchone() == (0,)  # nothing remembered

    report = run()
    assert report.added + report.unchanged == 6 and report.unchanged == kept
    assert "if-none-match" not in web.requests_to("/feed.xml")[-1].headers  # fetched in full again
    assert store.counts()[0] == 6


def test_a_jsonl_export_is_read_a_line_at_a_time(tmp_path: Path) -> None:
    """What the planner reads a JSONL export with: one record at a time, never the whole file."""
    export = tmp_path / "export.jsonl"
    body = "The council met on Monday. " * 400  # about 11 kB a record, 22 MB in all
    with export.open("w") as handle:
        for i in range(2000):
            handle.write(json.dumps({"id": f"r{i}", "title": f"Record {i}", "text": body, "published": "2022-01-05"}) + "\n")
    source = ArticleSource(IngestReport(), max_bytes=1_000_000)
    tracemalloc.start()
    try:
        read = sum(1 for _ in source.articles([export]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert read == 2000
    assert peak < 5_000_000  # a few records at a time, never the 22 MB file


def test_sources_on_the_command_line() -> None:
    assert as_sources(["https://daily.example/feed", "seeds", "HTTP://Daily.example/x"]) == [
        "https://daily.example/feed", Path("seeds"), "HTTP://Daily.example/x"]
    check_paths(as_sources(["https://daily.example/feed", str(SEED_FILE)]))  # URLs are checked when fetched
    with pytest.raises(UserInputError, match=r"not a file, a folder or an http\(s\) URL: ftp://daily.example/feed"):
        check_paths(as_sources(["ftp://daily.example/feed"]))
    with pytest.raises(UserInputError, match="no such file or directory: daily.example/feed.xml "
                                             r"\(a web address needs http:// or https://\)"):
        check_paths(as_sources(["daily.example/feed.xml"]))


def test_a_rebuilt_index_reads_its_feeds_anew(tmp_path: Path, web: FakeWeb) -> None:
    web.serve("/feed.xml", Reply(body=rss(web, ("/a", "Tue, 01 Mar 2022 09:00:00 GMT")),
                                 content_type="application/rss+xml", etag='"v1"'))
    web.serve("/a", Reply(body=article_page("Quay reopens", STORY)))
    home = tmp_path / "home"
    assert invoke(web.url("/feed.xml"), home=home)[1]["added"] == 1
    _, rebuilt = invoke(web.url("/feed.xml"), "--rebuild", home=home)
    assert (rebuilt["rebuilt"], rebuilt["added"], rebuilt["unchanged"]) == (1, 0, 1)  # kept, read anew
    assert web.requests_to("/feed.xml")[-1].status == 200


# -- issue 21 ------------------------------------------------------------------------------------


def test_a_corrupt_jsonl_gz_is_one_failed_file_and_is_not_pruned(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> None:
    """Item 9: a zlib error sank the whole ingest with a traceback; nothing else was stored."""
    import gzip

    from tests.test_jsonl_stream import _damaged, _member

    folder = tmp_path / "archive"
    folder.mkdir()
    export = folder / "export.jsonl.gz"
    export.write_bytes(_member(1, 3) + _member(4, 3))
    (folder / "a.txt").write_text("Quay reopens\n" + STORY)
    runtime = Runtime(load_settings(home=tmp_path / "home"), embedder=embedder)
    first = runtime.ingest([folder])
    assert (first.added, first.failed) == (7, [])

    export.write_bytes(_member(1, 3) + _damaged(_member(4, 3)))
    assert gzip.decompress(_member(1, 3))  # the first member is whole
    (folder / "b.txt").write_text("Ferry resumes\nThe ferry to the island resumed on Friday after the storm.")
    report = runtime.ingest([folder], prune=True, confirm_prune=True)
    assert [f.path for f in report.failed] == [str(export)]
    assert "corrupt" in report.failed[0].error
    assert (report.added, report.unchanged, report.removed) == (1, 4, 0)  # the 3 unread records are kept
    assert runtime.store.counts()[0] == 8


def test_pages_sharing_a_canonical_url_under_different_titles_are_each_read(tmp_path: Path) -> None:
    """Item 10: a canonical URL that pages with different titles share (a section page) is not
    an article id: the second page failed "id already used"."""
    shared = "https://daily.example/world/"
    pages = {"a.html": ("Quay reopens", STORY), "b.html": ("Ferry resumes", STORY.replace("quay", "ferry")),
             "c.html": ("Quay reopens", STORY)}  # the same page saved twice: read once
    for name, (title, body) in pages.items():
        (tmp_path / name).write_text(article_page(title, body, canonical=shared))
    report = IngestReport()
    read = list(ArticleSource(report, max_bytes=1_000_000).articles([tmp_path]))
    assert [a.title for a in read] == ["Quay reopens", "Ferry resumes"]
    assert read[0].id == url_id(shared) and read[0].url == shared
    assert read[1].id != read[0].id and read[1].url is None
    assert report.failed == [] and [s.path for s in report.skipped] == [str(tmp_path / "c.html")]
