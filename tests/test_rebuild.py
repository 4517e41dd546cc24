"""`newsdesk ingest --rebuild`: every stored article is encoded again, from its stored text, into a
new index with the current settings; nothing stored is lost, whatever SOURCE is given.

The archive: a corrected article from a folder (two versions), a JSONL export from another
folder, and a feed article from a web site that has since gone. `--rebuild` naming only the
folder keeps them all (ids, dates, versions, stories), answerable; a rebuild from an index of
other settings reads the articles from there; a rebuild interrupted while encoding, or while
replacing the old index, loses nothing and is finished by the next one. Real Chroma throughout;
the real model where answers are asked, the hashing fake where only the store is.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from index.archive import Archive
from index.chroma import list_collections, open_client
from index.encoders.embedder import HashingEmbedder, SentenceTransformerEmbedder
from index.errors import StoreError
from index.memory_store import MemoryStore
from index.models import Article, Chunk
from index.versions import version_id
from ingest.errors import IngestStopped
from ingest.progress import IngestProgress
from tests.conftest import ask, make_settings
from tests.test_articles_cli import WIRE, newsdesk
from tests.test_ingest_sources import FAST, STORY, rss
from tests.test_server_mode import running_chroma
from tests.test_versions import BEFORE, QUESTION, V1, V2, write
from tests.test_wire_copies import RECORDS
from tests.web_fake import HOSTS, FakeWeb, Reply, article_page, fake_web

runner = CliRunner()



def web_settings(home: Path) -> Settings:
    """Settings that may fetch from the fake site on 127.0.0.1 (tests/web_fake.py)."""
    settings = make_settings(home)
    settings.ingest = settings.ingest.model_copy(update={"allow_hosts": HOSTS, "fetch_delay": 0.0})
    return settings

def invoke(*args: str, home: Path, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    done = runner.invoke(app, ["ingest", *args, "--json", "--data-dir", str(home)],
                         env={**FAST, **(env or {})}, catch_exceptions=False)
    return done.exit_code, json.loads(done.stdout)


def collections(home: Path) -> list[str]:
    return sorted(c.name for c in list_collections(open_client(load_settings(home=home).store)))


def make_archive(root: Path, runtime: Runtime, web: FakeWeb) -> tuple[Path, str]:
    """A corrected article in news/ (two versions), three export records in wire/, and a feed
    article; returns news/ and the corrected article's id."""
    news, wire = root / "news", root / "wire"
    news.mkdir()
    wire.mkdir()
    (wire / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in WIRE))
    write(news / "aktau.md", V1, date(2022, 1, 10))
    web.serve("/feed.xml", Reply(body=rss(web, ("/quay", "Tue, 01 Mar 2022 09:00:00 GMT")),
                                 content_type="application/rss+xml"))
    web.serve("/quay", Reply(body=article_page("Northern quay reopens", STORY)))
    first = runtime.ingest([news, wire, web.url("/feed.xml")])
    assert (first.added, first.failed) == (5, [])
    write(news / "aktau.md", V2, date(2022, 1, 20))
    assert runtime.ingest([news]).versions_kept == 1
    [aktau] = [s.id for s in runtime.store.article_summaries() if s.path and s.path.endswith("aktau.md")]
    return news, aktau


def everything(runtime: Runtime) -> dict[str, Any]:
    """Every stored article and earlier version as stored (text, dates, path, version, story...)."""
    ids = [s.id for s in runtime.store.article_summaries()]
    versions = [v.id for i in ids for v in runtime.store.article_versions(i)]
    return {i: a for i, a in runtime.store.get_articles(ids + versions).items()}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder,
            ) -> tuple[Path, str, dict[str, Any], dict[str, Any]]:
    """The archive, then `ingest --rebuild news/` with the feed's site gone."""
    root = tmp_path_factory.mktemp("rebuild")
    home = root / "home"
    runtime = Runtime(web_settings(home), embedder=embedder)
    with fake_web() as web:
        news, aktau = make_archive(root, runtime, web)
    before = everything(runtime)
    assert len(before) == 6
    runtime.close()
    code, report = invoke("--rebuild", str(news), home=home)
    assert code == 0, report
    return home, aktau, before, report


def test_a_rebuild_naming_one_folder_keeps_every_stored_article(
        rebuilt: tuple[Path, str, dict[str, Any], dict[str, Any]], embedder: SentenceTransformerEmbedder) -> None:
    home, _, before, report = rebuilt
    assert (report["rebuilt"], report["rebuilt_versions"]) == (5, 1)
    assert (report["added"], report["unchanged"], report["failed"]) == (0, 1, [])
    runtime = Runtime(web_settings(home), embedder=embedder)
    # ids, texts, titles, dates, urls, sources, paths, received days, versions, stories
    assert everything(runtime) == before


def test_the_rebuilt_index_keeps_earlier_versions_and_answers_from_all_sources(
        rebuilt: tuple[Path, str, dict[str, Any], dict[str, Any]], embedder: SentenceTransformerEmbedder) -> None:
    home, aktau, _, _ = rebuilt
    runtime = Runtime(web_settings(home), embedder=embedder)
    [first] = runtime.store.article_versions(aktau)
    assert (first.id, first.version, first.superseded) == (version_id(aktau, 1), 1, date(2022, 1, 20))
    current = runtime.store.get_article(aktau)
    assert current is not None and (current.version, current.revised) == (2, date(2022, 1, 20))
    answer = ask(runtime, QUESTION, BEFORE)  # from the earlier version, verified at its offsets
    assert answer.citations and {c.article_id for c in answer.citations} == {version_id(aktau, 1)}
    quay = ask(runtime, "When did the harbour authority reopen the northern quay?", date(2022, 3, 5))
    assert quay.citations and all("quay" in c.quote for c in quay.citations)
    assert {c.url for c in quay.citations} <= {s.url for s in runtime.store.article_summaries()}
    found = runtime.retriever.search(runtime.query("Wire story number 2: the port", date(2022, 3, 5)), 5)
    assert "wire-2" in {p.article_id for p in found}


def test_the_old_collections_are_gone_and_no_staging_is_left(
        rebuilt: tuple[Path, str, dict[str, Any], dict[str, Any]], embedder: SentenceTransformerEmbedder) -> None:
    home = rebuilt[0]
    prefix = Runtime(web_settings(home), embedder=embedder).store.spec.prefix
    assert collections(home) == sorted(f"{prefix}_{part}" for part in (
        "articles", "chunks", "copies", "history", "history_texts"))


def test_a_rebuild_from_an_index_of_other_settings_keeps_the_articles(tmp_path: Path) -> None:
    """Built with chunks of 48 tokens; `ingest --rebuild` alone re-embeds into chunks of 160."""
    home = tmp_path / "home"
    small = {"NEWSDESK_CHUNK_MAX_TOKENS": "48"}
    news, wire = tmp_path / "news", tmp_path / "wire"
    news.mkdir()
    wire.mkdir()
    (wire / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in WIRE))
    write(news / "aktau.md", V1, date(2022, 1, 10))
    assert invoke(str(news), str(wire), home=home, env=small)[1]["added"] == 4
    write(news / "aktau.md", V2, date(2022, 1, 20))
    assert invoke(str(news), home=home, env=small)[1]["versions_kept"] == 1
    old = collections(home)
    refused = runner.invoke(app, ["ingest", str(news), "--data-dir", str(home)], env=FAST)
    assert refused.exit_code != 0  # the index was built with other settings

    code, report = invoke("--rebuild", home=home)
    assert code == 0, report
    assert (report["rebuilt"], report["rebuilt_versions"], report["failed"]) == (4, 1, [])
    assert not set(old) & set(collections(home))
    named = HashingEmbedder(name="all-MiniLM-L6-v2")  # the default settings' index, listed without the model
    runtime = Runtime(load_settings(home=home), embedder=named)
    listed = {s.id: s for s in runtime.store.article_summaries()}
    assert {f"wire-{n}" for n in (1, 2, 3)} < set(listed) and len(listed) == 4
    [aktau] = [i for i, s in listed.items() if s.path and s.path.endswith("aktau.md")]
    assert [v.version for v in runtime.store.article_versions(aktau)] == [1]
    assert runtime.store.spec.chunk_tokens == 160


def test_ingest_needs_a_source_unless_it_rebuilds(tmp_path: Path) -> None:
    done = newsdesk("ingest", home=tmp_path / "home")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--rebuild" in done.stderr


# -- interrupted rebuilds, on the store alone (the hashing fake) ----------------------------------

def fake_runtime(home: Path, **chunking: int) -> Runtime:
    settings: Settings = load_settings(home=home)
    settings.chunking = settings.chunking.model_copy(update=chunking)
    return Runtime(settings, embedder=HashingEmbedder())


@pytest.fixture
def many(tmp_path: Path) -> Iterator[tuple[Path, Path, str]]:
    """120 export records and a corrected article, stored with chunks of 48 tokens."""
    news = tmp_path / "news"
    news.mkdir()
    records = [{"id": f"r{n}", "title": f"Report {n}", "published": "2022-02-01",
                "text": f"Report number {n} from the harbour. " * 6} for n in range(120)]
    (news / "reports.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    write(news / "aktau.md", V1, date(2022, 1, 10))
    runtime = fake_runtime(tmp_path / "home", max_tokens=48)
    assert runtime.ingest([news]).added == 121
    write(news / "aktau.md", V2, date(2022, 1, 20))
    runtime.ingest([news])
    [aktau] = [s.id for s in runtime.store.article_summaries() if s.path and s.path.endswith("aktau.md")]
    runtime.close()
    yield tmp_path / "home", news, aktau


class StopAfterFirstBatch:
    """A progress that presses Ctrl-C (sets `stop`) once the first batch is encoded."""

    def __init__(self) -> None:
        self.stop = threading.Event()

    def update(self, state: IngestProgress) -> None:
        if state.encoded:
            self.stop.set()


@pytest.mark.parametrize("chunking", [{"max_tokens": 48}, {"max_tokens": 64}], ids=["same", "other"])
def test_an_interrupted_rebuild_loses_nothing_and_the_next_one_goes_on(
        many: tuple[Path, Path, str], chunking: dict[str, int]) -> None:
    home, _, aktau = many
    runtime = fake_runtime(home, **chunking)
    interrupt = StopAfterFirstBatch()
    with pytest.raises(IngestStopped):
        runtime.rebuild(progress=interrupt, stop=interrupt.stop)
    old = fake_runtime(home, max_tokens=48)  # the old index, as it was
    assert old.store.counts()[0] == 121 and len(old.store.article_versions(aktau)) == 1
    old.close()

    again = fake_runtime(home, **chunking)
    report = again.rebuild()
    assert (report.rebuilt, report.rebuilt_versions, report.rebuild_incomplete) == (121, 1, None)
    assert again.store.counts()[0] == 121
    assert 0 < report.embedded < len(list(again.store.all_chunks()))  # the first run's batch is not encoded again
    assert [v.version for v in again.store.article_versions(aktau)] == [1]
    assert again.store.spec.chunk_tokens == chunking["max_tokens"]


class Interrupting:
    """A Chroma client that presses Ctrl-C when asked for a new collection (to rename it to its
    usual name) the `after`+1-th time: what Ctrl-C midway through replacing the old index leaves."""

    def __init__(self, client: Any, after: int) -> None:
        self._client = client
        self._left = after

    def get_collection(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not name.startswith("nd_"):
            self._left -= 1
            if self._left < 0:
                raise KeyboardInterrupt
        return self._client.get_collection(name, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_rebuild_interrupted_while_replacing_the_index_is_finished_by_the_next(
        many: tuple[Path, Path, str]) -> None:
    home, news, aktau = many
    settings = load_settings(home=home)
    client: Any = Interrupting(open_client(settings.store), 2)
    runtime = Runtime(settings, embedder=HashingEmbedder(), connection=client)
    with pytest.raises(KeyboardInterrupt):
        runtime.rebuild()
    with pytest.raises(StoreError, match="ingest --rebuild"):
        fake_runtime(home).store  # noqa: B018 - half-replaced: refused, never shown
    again = fake_runtime(home)
    report = again.rebuild()
    assert (report.rebuilt, report.rebuild_incomplete) == (121, None)
    assert report.embedded == 0  # the new index was complete: only the swap was left
    assert again.store.counts()[0] == 121 and len(again.store.article_versions(aktau)) == 1
    assert not [c for c in collections(home) if not c.startswith(again.store.spec.prefix)]
    assert again.ingest([news]).unchanged == 121


def test_wire_stories_and_fingerprints_survive_a_rebuild(tmp_path: Path) -> None:
    """The agency story and its copies stay one story (named by its first article), fingerprinted."""
    news = tmp_path / "news"
    news.mkdir()
    records = [{"id": f"w{n}", "title": title, "text": text, "published": day, "url": url, "source": source}
               for n, (url, title, text, day, source) in enumerate(RECORDS)]
    (news / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    runtime = fake_runtime(tmp_path / "home", max_tokens=48)
    runtime.ingest([news])
    runtime.store.delete_articles(["w0"])  # the story keeps the name of its first article, gone now
    stories = {s.id: s.story for s in runtime.store.article_summaries()}
    assert stories["w1"] == stories["w2"] == "w0"  # copies of the agency story
    runtime.close()

    again = fake_runtime(tmp_path / "home")
    assert again.rebuild().rebuilt == len(records) - 1
    assert {s.id: s.story for s in again.store.article_summaries()} == stories
    assert again.store.unfingerprinted() == []
    assert {m.id for m in again.store.story_members(["w0"])["w0"]} >= {"w1", "w2"}


@pytest.mark.parametrize("kind", ["chroma", "memory"])
def test_an_earlier_version_is_written_as_it_is_among_the_versions(tmp_path: Path, kind: str) -> None:
    """What a rebuild does with an earlier version: written with its own chunks under `ID@vN`,
    it is a version of the article (not an article of its own), found by id and by state."""
    store: Archive = MemoryStore() if kind == "memory" else fake_runtime(tmp_path / "home").store
    embedder = HashingEmbedder()
    current = Article("a1", "Strike ends", "The strike ended on Tuesday.", date(2022, 1, 10), version=2,
                      revised=date(2022, 1, 20))
    earlier = Article("a1@v1", "Strike ends", "The strike ended on Monday.", date(2022, 1, 10),
                      superseded=date(2022, 1, 20))
    for article in (earlier, current):
        chunk = Chunk(article.id, 0, 0, len(article.text), article.text, ((0, len(article.text)),))
        store.write([(article, [chunk], embedder.embed([article.text]))])
    assert store.counts()[0] == 1 and [a.id for a in store.article_summaries()] == ["a1"]
    assert store.article_versions("a1") == [earlier]
    assert store.get_articles(["a1@v1"]) == {"a1@v1": earlier}
    assert set(store.article_states(["a1", "a1@v1", "a2@v1"])) == {"a1", "a1@v1"}
    assert sorted(a.id for a in store.stored_articles()) == ["a1", "a1@v1"]
    [old] = [p for p in store.all_chunks() if p.article_id == "a1@v1"]
    assert (old.text, old.superseded) == (earlier.text, date(2022, 1, 20))
    assert [p.article_id for p in store.query(embedder.embed(["Monday"])[0], 5, as_of=date(2022, 1, 15))] == ["a1@v1"]


def test_a_rebuild_through_a_chroma_server(many: tuple[Path, Path, str], tmp_path: Path) -> None:
    """The same on a `chroma run` server (collections renamed over HTTP)."""
    _, news, aktau = many
    (tmp_path / "server").mkdir()
    with running_chroma(tmp_path / "server") as server:
        def served(**chunking: int) -> Runtime:
            runtime = fake_runtime(tmp_path / "served", **chunking)
            runtime.settings.store = runtime.settings.store.model_copy(update={"chroma_url": server.url})
            return runtime

        assert served(max_tokens=48).ingest([news]).added == 121
        report = served().rebuild()
        assert (report.rebuilt, report.rebuilt_versions, report.rebuild_incomplete) == (121, 0, None)
        after = served()
        assert after.store.counts()[0] == 121 and after.store.spec.chunk_tokens == 160
        assert after.ingest([news]).unchanged == 121
