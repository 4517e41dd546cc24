"""Article ids (issue 21): one file is one article whatever name or folder reached it, an export
cannot plant an id that names a version, and a record that failed to read is never pruned.

The real pipeline, the in-memory store and the hashing encoder: fast, and the point is the ids,
not the store. Each of these failed before its fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.encoders.embedder import HashingEmbedder
from index.memory_store import MemoryStore
from index.versions import version_id
from ingest.chunking import create_chunker
from ingest.pipeline import ingest
from ingest.records import StoredFile
from ingest.report import IngestReport


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def run(store: MemoryStore, *sources: Path, prune: bool = False, confirm: bool = False) -> IngestReport:
    embedder = HashingEmbedder()
    chunker = create_chunker(40, 0, "cl100k_base", embedder.max_tokens, embedder.count_tokens)
    return ingest(list(sources), store, embedder, chunker, max_bytes=1_000_000, prune=prune, confirm_prune=confirm)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def story(title: str, sentence: str) -> str:
    return f" date 2022-03-01 {title}\n{sentence}\n"


def lines(*records: dict[str, str]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


DAM = {"title": "Dam opens", "text": "The dam on the river opened on Monday, officials said."}
MINE = {"title": "Mine closes", "text": "The copper mine shut on Tuesday after a flood."}
PORT = {"title": "Port reopens", "text": "The port reopened on Wednesday after the storm."}


# -- 1. a record that failed to read is not a record that is gone ---------------------------------

@pytest.mark.parametrize("own_ids", [True, False], ids=["own ids", "path ids"])
def test_prune_keeps_the_article_of_a_record_that_failed_to_read(store: MemoryStore, tmp_path: Path,
                                                                  own_ids: bool) -> None:
    records = [{**r, "id": f"c{n}"} if own_ids else r for n, r in enumerate((DAM, MINE, PORT), start=1)]
    export = write(tmp_path / "news" / "export.jsonl", lines(*records))
    assert run(store, tmp_path / "news").added == 3
    good = export.read_text().splitlines()
    export.write_text("\n".join([good[0], good[1].rstrip().removesuffix("}"), good[2]]) + "\n")  # a typo

    broken = run(store, tmp_path / "news", prune=True, confirm=True)
    assert any("invalid JSON" in f.error for f in broken.failed)
    assert (broken.removed, store.counts()[0]) == (0, 3)

    export.write_text("\n".join([good[0], good[2] if own_ids else good[1]]) + "\n")  # a record removed, cleanly
    assert run(store, tmp_path / "news", prune=True, confirm=True).removed == 1


def test_prune_keeps_the_article_of_a_bad_item_of_a_json_export(store: MemoryStore, tmp_path: Path) -> None:
    export = write(tmp_path / "news" / "export.json", json.dumps([{**DAM, "id": "d"}, {**MINE, "id": "m"}]))
    assert run(store, tmp_path / "news").added == 2
    export.write_text(json.dumps([{**DAM, "id": "d"}, {**MINE, "id": "m", "text": ""}]))  # emptied by mistake
    broken = run(store, tmp_path / "news", prune=True, confirm=True)
    assert [f.error for f in broken.failed] == ["record has no 'text' or 'body'"]
    assert (broken.removed, store.counts()[0]) == (0, 2)


# -- 3. a subfolder of an ingested folder ---------------------------------------------------------

def archive(root: Path) -> Path:
    write(root / "txt" / "a.txt", story("Dam opens", DAM["text"]))
    write(root / "txt" / "b.txt", story("Mine closes", MINE["text"]))
    write(root / "c.txt", story("Port reopens", PORT["text"]))
    write(root / "exports" / "e.jsonl", lines(DAM | {"title": "Dam opens (wire)"}, MINE | {"title": "Mine (wire)"}))
    return root


def test_a_subfolder_of_an_ingested_folder_finds_the_same_articles(store: MemoryStore, tmp_path: Path) -> None:
    arch = archive(tmp_path / "arch")
    assert run(store, arch).added == 5
    for again in (arch / "txt", arch / "exports", arch / "txt" / "a.txt", arch / "exports" / "e.jsonl"):
        report = run(store, again)
        assert (report.added, report.updated, report.failed) == (0, 0, []), again
    assert store.counts()[0] == 5
    ids = set(store.article_states())
    (tmp_path / "moved").mkdir()
    arch.rename(tmp_path / "moved" / "arch")
    assert run(store, tmp_path / "moved" / "arch").unchanged == 5
    assert set(store.article_states()) == ids  # a moved folder keeps its ids


def test_a_folder_after_its_subfolder_finds_the_same_articles(store: MemoryStore, tmp_path: Path) -> None:
    arch = archive(tmp_path / "arch")
    assert run(store, arch / "txt").added == 2
    assert run(store, arch / "exports" / "e.jsonl").added == 2
    report = run(store, arch)
    assert (report.added, report.unchanged, store.counts()[0]) == (1, 4, 5)


def test_many_files_keep_their_ids_once_the_archive_is_read_in_bulk(store: MemoryStore, tmp_path: Path) -> None:
    for n in range(40):  # more files than are looked up one by one (ingest.records.ArchiveFiles)
        write(tmp_path / "arch" / "txt" / f"{n:02d}.txt", story(f"Story {n}", f"Story {n} says the dam held."))
    assert run(store, tmp_path / "arch" / "txt").added == 40
    report = run(store, tmp_path / "arch")
    assert (report.added, report.updated, report.unchanged) == (0, 0, 40)


def test_a_copy_stored_by_an_earlier_newsdesk_goes_with_prune(store: MemoryStore, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    arch = archive(tmp_path / "arch")
    run(store, arch)
    with monkeypatch.context() as old:  # newsdesk before issue 21: a subfolder's files got ids of their own
        old.setattr(StoredFile, "stored", lambda self: {})
        assert run(store, arch / "txt").added == 2
    pruned = run(store, arch, prune=True)
    assert (pruned.removed, pruned.unchanged, store.counts()[0]) == (2, 5, 5)


def test_a_source_given_and_then_removed_is_not_kept(store: MemoryStore, tmp_path: Path) -> None:
    export = write(tmp_path / "news" / "e.jsonl", lines(DAM | {"source": "Wire"}))
    run(store, tmp_path / "news")
    export.write_text(lines(DAM))
    run(store, tmp_path / "news" / "e.jsonl")  # the folder's name is the source, not the one removed
    assert [s.source for s in store.article_summaries()] == ["news"]


def test_one_command_reads_a_file_once_whatever_folder_names_it(store: MemoryStore, tmp_path: Path) -> None:
    arch = archive(tmp_path / "arch")
    report = run(store, arch, arch / "txt")
    assert (report.added, store.counts()[0]) == (5, 5)
    assert sorted(Path(s.path).name for s in report.skipped) == ["a.txt", "b.txt"]


def test_files_with_one_relative_path_from_two_folders_go_in_from_their_parent(store: MemoryStore,
                                                                               tmp_path: Path) -> None:
    write(tmp_path / "news" / "a" / "x.txt", story("Dam opens", DAM["text"]))
    write(tmp_path / "news" / "b" / "x.txt", story("Mine closes", MINE["text"]))
    assert run(store, tmp_path / "news" / "a").added == 1
    assert "already used" in run(store, tmp_path / "news" / "b").failed[0].error
    [first] = store.article_summaries()
    both = run(store, tmp_path / "news")  # what the clash's message advises
    assert (both.added, both.unchanged, both.failed) == (1, 1, [])
    assert store.get_articles([first.id])[first.id].source == "a"  # the first keeps its id and source


# -- 4. symlinks ----------------------------------------------------------------------------------

def test_a_symlink_named_before_its_target_does_not_hide_the_real_folder(store: MemoryStore, tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "real" / "x.txt", story("Dam opens", DAM["text"]))
    (root / "a-link").symlink_to(root / "real")  # sorted before its target
    write(root / "story.txt", story("Port reopens", PORT["text"]))
    (root / "a-story.txt").symlink_to(root / "story.txt")
    first = run(store, root)
    assert (first.added, store.counts()[0]) == (2, 2)
    reasons = {Path(s.path).name: s.error for s in first.skipped}
    assert set(reasons) == {"a-link", "a-story.txt"}  # the links, never the real folder or file
    assert all("read under its own name" in reason for reason in reasons.values())
    ids = set(store.article_states())

    (root / "a-link").unlink()
    (root / "a-story.txt").unlink()
    second = run(store, root)
    assert (second.added, second.unchanged, set(store.article_states())) == (0, 2, ids)


def test_a_folder_reached_by_two_links_is_read_once_under_one_id(store: MemoryStore, tmp_path: Path) -> None:
    write(tmp_path / "elsewhere" / "x.txt", story("Dam opens", DAM["text"]))
    root = tmp_path / "root"
    root.mkdir()
    (root / "one").symlink_to(tmp_path / "elsewhere")
    (root / "two").symlink_to(tmp_path / "elsewhere")
    first = run(store, root)
    assert (first.added, [Path(s.path).name for s in first.skipped]) == (1, ["two"])
    assert "already read as" in first.skipped[0].error and "loop" not in first.skipped[0].error
    (root / "one").unlink()
    assert (run(store, root).added, store.counts()[0]) == (0, 1)  # read as two/x.txt now: the same article


# -- 7. an export id cannot name a version --------------------------------------------------------

def test_an_export_id_in_the_version_syntax_is_refused(store: MemoryStore, tmp_path: Path) -> None:
    news = tmp_path / "news"
    export = write(news / "a.jsonl", lines({"id": "c1", "title": "Census", "text": "The census counted 120 million."}))
    run(store, news)
    export.write_text(lines({"id": "c1", "title": "Census", "text": "The census counted 121 million."}))
    assert run(store, news).versions_kept == 1
    write(news / "planted.jsonl", lines({"id": version_id("c1", 1), "title": "Census", "text": "No census was held."},
                                        {"id": "c2", "title": "Rain", "text": "It rained all week in the capital."}))
    report = run(store, news)
    assert report.added == 1
    [failure] = report.failed
    assert failure.path.endswith("planted.jsonl (line 1)") and "c1@v1" in failure.error
    assert "version" in failure.error
    assert store.get_articles([version_id("c1", 1)])[version_id("c1", 1)].text == "The census counted 120 million."
    assert store.counts()[0] == 2
