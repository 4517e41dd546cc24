"""`newsdesk forget ID|PATH...`, run as a user runs it (`python -m bot.cli`), on a real Chroma store
written with the real model: what goes with an article, what stays, and what the command says."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from bot.runtime import Runtime
from index.encoders.embedder import HashingEmbedder, SentenceTransformerEmbedder
from index.lexical import LexicalIndex, lexical_folder
from index.lock import write_lock
from index.memory_store import MemoryStore
from index.models import Article, Chunk
from ingest.copies import fingerprint
from ingest.fetch import CACHE_FILE, ValidatorCache, Validators
from ingest.forget import forget, plan_forget
from tests.conftest import make_settings
from tests.test_articles_cli import newsdesk

# An invented agency story (long enough to be fingerprinted) and an outlet's copy of it.
STORY = (
    "Dockers at the port of Veldmark ended a nine-day strike on Tuesday after the harbour authority "
    "agreed to hire forty more crane operators and to pay night shifts at a higher rate, the union said. "
    "Ships that had waited at anchor off the breakwater began to berth within hours, and the authority "
    "expects the backlog of containers to clear by the end of next week. The strike had held up grain "
    "exports and the ferry service to the islands, which will run on its usual timetable from Thursday."
)
WIRE = [
    {"id": f"wire-{n}", "title": f"Wire brief {n}", "text": f"Wire brief number {n}: the council met on {day}.",
     "published": f"2022-02-0{n}", "source": "Example Wire"}
    for n, day in ((1, "Monday"), (2, "Tuesday"), (3, "Wednesday"))
]


def write_news(folder: Path) -> None:
    (folder / "sub").mkdir(parents=True)
    (folder / "lighthouse.txt").write_text("Lighthouse keeper retires\n\nThe lighthouse keeper of Orsk retired.\n")
    (folder / "sub" / "bridge.txt").write_text("Bridge opens\n\nThe new bridge over the Tamm opened to traffic.\n")
    (folder / "sub" / "tunnel.txt").write_text("Tunnel delayed\n\nThe rail tunnel under the ridge is delayed.\n")
    (folder / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in WIRE))
    (folder / "agency.txt").write_text(f"Veldmark dockers end strike\n\n{STORY}\n")
    (folder / "outlet.txt").write_text(f"Port strike over in Veldmark\n\nBy a staff reporter. {STORY}\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> tuple[Path, Path]:
    """An archive of eight articles; the lighthouse story has an earlier version; agency.txt and
    outlet.txt are one wire story. Each test works on its own copy (`archive`)."""
    root = tmp_path_factory.mktemp("forget")
    folder, home = root / "news", root / "home"
    write_news(folder)
    runtime = Runtime(make_settings(home), embedder=embedder)
    assert runtime.ingest([folder]).added == 8
    lighthouse = folder / "lighthouse.txt"
    lighthouse.write_text("Lighthouse keeper retires\n\nThe lighthouse keeper of Orsk retired after forty years.\n")
    os.utime(lighthouse, (time.time() + 86400 * 3,) * 2)  # changed on a later day: the old text is kept
    report = runtime.ingest([folder])
    assert (report.updated, report.versions_kept) == (1, 1)
    runtime.close()
    return folder, home


@pytest.fixture
def archive(built: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """The news folder (read-only: the stored paths point into it) and a copy of the archive."""
    folder, home = built
    shutil.copytree(home, tmp_path / "home")
    return folder, tmp_path / "home"


def stored(home: Path, embedder: SentenceTransformerEmbedder) -> Runtime:
    return Runtime(make_settings(home), embedder=embedder)


def ids_from(runtime: Runtime, name: str) -> list[str]:
    return [s.id for s in runtime.store.article_summaries() if (s.path or "").endswith(name)]


def test_forget_by_id_takes_chunks_versions_fingerprint_and_lexical_entries(
    archive: tuple[Path, Path], embedder: SentenceTransformerEmbedder
) -> None:
    folder, home = archive
    before = stored(home, embedder)
    (lighthouse,) = ids_from(before, "lighthouse.txt")
    (agency,) = ids_from(before, "agency.txt")
    (outlet,) = ids_from(before, "outlet.txt")
    assert [v.id for v in before.store.article_versions(lighthouse)] == [f"{lighthouse}@v1"]
    story = before.store.get_articles([outlet])[outlet].story
    assert story == agency  # the outlet's copy joined the agency's story
    bands = fingerprint(before.store.get_articles([agency])[agency]).bands
    before.close()

    done = newsdesk("forget", lighthouse, agency, home=home)
    assert done.returncode == 0, done.stderr
    assert "forgot 2 article(s), with their earlier versions" in done.stdout
    assert "Ingesting their files, feeds or pages again brings them back." in done.stdout
    assert {line.split()[0] for line in done.stdout.splitlines()[:2]} == {lighthouse, agency}

    after = stored(home, embedder)
    assert after.store.counts()[0] == 6
    assert after.store.get_articles([lighthouse, f"{lighthouse}@v1", agency]) == {}
    assert after.store.article_versions(lighthouse) == []
    chunk_owners = {p.article_id.split("@")[0] for p in after.store.all_chunks()}
    assert not chunk_owners & {lighthouse, agency}
    assert agency not in {f.article_id for f in after.store.fingerprints_sharing([bands])}
    assert {m.id for m in after.store.story_members([story])[story]} == {outlet}  # the copy stays
    saved = LexicalIndex.load(lexical_folder(home, after.store))  # rebuilt by forget, not later
    assert saved is not None and saved.revision == after.store.revision()
    assert not {cid.split("@")[0].split(":")[0] for cid in saved.chunk_ids} & {lighthouse, agency}
    assert newsdesk("articles", "--text", "lighthouse", home=home).returncode == 1


def test_forget_paths_dry_run_and_json(archive: tuple[Path, Path], embedder: SentenceTransformerEmbedder) -> None:
    folder, home = archive
    dry = newsdesk("forget", "sub", "--dry-run", "--json", home=home, cwd=folder)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert report["dry_run"] is True and report["unknown"] == [] and report["chunks_removed"] is None
    assert sorted(a["title"] for a in report["articles"]) == ["Bridge opens", "Tunnel delayed"]
    assert stored(home, embedder).store.counts()[0] == 8  # nothing changed

    done = newsdesk("forget", "sub/bridge.txt", str(folder / "wire.jsonl"), "--json", home=home, cwd=folder)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert sorted(a["title"] for a in report["articles"]) == ["Bridge opens", "Wire brief 1", "Wire brief 2",
                                                             "Wire brief 3"]
    assert report["dry_run"] is False and report["chunks_removed"] >= 4
    left = {s.title for s in stored(home, embedder).store.article_summaries()}
    assert "Tunnel delayed" in left and len(left) == 4


def test_unknown_names_are_reported_and_the_known_ones_still_go(archive: tuple[Path, Path]) -> None:
    folder, home = archive
    done = newsdesk("forget", "no-such-id", "wire-2", str(folder / "gone"), home=home)
    assert done.returncode == 1
    assert "'no-such-id' is neither the id of a stored article" in done.stderr
    assert f"'{folder / 'gone'}' is neither" in done.stderr
    assert "forgot 1 article(s)" in done.stdout and "Traceback" not in done.stderr
    listed = newsdesk("articles", "--json", "--source", "example wire", home=home)
    assert [a["id"] for a in json.loads(listed.stdout)] == ["wire-3", "wire-1"]


def test_one_version_cannot_be_forgotten_alone(archive: tuple[Path, Path], embedder: SentenceTransformerEmbedder) -> None:
    folder, home = archive
    (lighthouse,) = ids_from(stored(home, embedder), "lighthouse.txt")
    done = newsdesk("forget", "wire-1", f"{lighthouse}@v1", home=home)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"'{lighthouse}@v1' names one version of an article" in done.stderr
    assert f"newsdesk forget {lighthouse}` removes the article with all its versions" in done.stderr
    assert stored(home, embedder).store.counts()[0] == 8  # nothing removed, not even wire-1


def test_a_forgotten_file_comes_back_on_the_next_ingest(
    archive: tuple[Path, Path], embedder: SentenceTransformerEmbedder
) -> None:
    folder, home = archive
    assert newsdesk("forget", "lighthouse.txt", home=home, cwd=folder).returncode == 0
    report = stored(home, embedder).ingest([folder])
    assert (report.added, report.unchanged) == (1, 7)


def test_forget_waits_for_the_write_lock(archive: tuple[Path, Path]) -> None:
    folder, home = archive
    with write_lock(home):
        done = newsdesk("forget", "wire-1", "--lock-timeout", "0", home=home)
    assert done.returncode == 2 and f"{home} is busy" in done.stderr
    assert newsdesk("article", "wire-1", home=home).returncode == 0  # still there


def test_forgetting_a_web_article_lets_its_feed_be_read_in_full_again(tmp_path: Path) -> None:
    """The validators of feeds and of forgotten pages go; those of stored pages stay, so the next
    ingest of the feed reads it (not "not modified") and fetches only the forgotten page again."""
    store = MemoryStore()
    kept, gone = "https://news.example/kept", "https://news.example/gone"
    pages = [Article("k", "Kept", "Kept page text.", url=kept), Article("g", "Gone", "Gone page text.", url=gone)]
    store.write([(a, [Chunk(a.id, 0, 0, len(a.text), a.text, ((0, len(a.text)),))], HashingEmbedder().embed([a.text]))
                 for a in pages])
    cache = ValidatorCache(tmp_path / CACHE_FILE)
    for url in (kept, gone, "https://news.example/feed.xml"):
        cache.stage(url, Validators('"etag"', None, None))
    cache.commit()
    cache.close()
    plan = plan_forget(store, ["g"])
    assert forget(store, plan, tmp_path) >= 1
    cache = ValidatorCache(tmp_path / CACHE_FILE)
    assert [url for url in (kept, gone, "https://news.example/feed.xml") if cache.get(url)] == [kept]
    cache.close()


def test_forgetting_more_than_half_of_the_archive_needs_yes(
    archive: tuple[Path, Path], embedder: SentenceTransformerEmbedder
) -> None:
    """`newsdesk forget .` from the wrong folder must not empty an archive in one keystroke."""
    folder, home = archive
    refused = newsdesk("forget", str(folder), home=home)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert stored(home, embedder).store.counts()[0] == 8  # nothing was removed
    done = newsdesk("forget", str(folder), "--yes", "--json", home=home)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["articles"]) == 8
