"""Incremental ingest into a real Chroma store with the real model."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from bot.runtime import Runtime
from index.encoders.embedder import SentenceTransformerEmbedder
from tests.conftest import SEED_FILE, SEEDS, ingest_into


def write_article(folder: Path, name: str, title: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f" date 2022-03-01 {title}\n{body}\n")
    return path


def test_second_ingest_does_no_work(runtime: Runtime, embedder: SentenceTransformerEmbedder) -> None:
    first = ingest_into(runtime, SEEDS)
    assert (first.added, first.failed) == (1, [])
    assert first.chunks_added == runtime.store.counts()[1] > 0
    before = embedder.encoded
    second = ingest_into(runtime, SEEDS)
    assert (second.added, second.updated, second.unchanged, second.chunks_added, second.embedded) == (0, 0, 1, 0, 0)
    assert embedder.encoded == before  # not a single passage encoded


def test_changed_article_replaces_its_chunks(runtime: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    path = write_article(folder, "a.txt", "Bridge opens", " ".join(["The bridge opened to traffic today."] * 60))
    ingest_into(runtime, folder)
    _, chunks_before = runtime.store.counts()
    assert chunks_before > 1
    write_article(folder, "a.txt", "Bridge opens", "The bridge opened to traffic on Monday morning.")
    report = ingest_into(runtime, folder)
    assert (report.updated, report.added, report.chunks_added) == (1, 0, 1)
    assert report.chunks_removed == chunks_before - 1
    assert runtime.store.counts() == (1, 1)
    [article] = runtime.store.get_articles([read_id(runtime)]).values()
    assert article.text == "The bridge opened to traffic on Monday morning."
    assert path.exists()


def read_id(runtime: Runtime) -> str:
    return next(iter(runtime.store.article_states()))


def test_single_new_file_keeps_the_rest(runtime: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(SEED_FILE, folder)
    ingest_into(runtime, folder)
    new = write_article(folder, "new.txt", "Harbour fire", "A fire broke out at the harbour on Tuesday.")
    report = ingest_into(runtime, new)
    assert (report.added, report.removed) == (1, 0)
    assert runtime.store.counts()[0] == 2


def test_prune_removes_articles_whose_files_are_gone(runtime: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    keep = write_article(folder, "keep.txt", "Keep", "This article stays in the archive.")
    gone = write_article(folder, "gone.txt", "Gone", "This article will be deleted from disk.")
    other = write_article(tmp_path / "elsewhere", "other.txt", "Other", "Outside the pruned root.")
    ingest_into(runtime, folder, other)
    gone.unlink()
    without_prune = ingest_into(runtime, folder)
    assert (without_prune.removed, runtime.store.counts()[0]) == (0, 3)
    pruned = ingest_into(runtime, folder, prune=True)
    assert (pruned.removed, pruned.unchanged) == (1, 1)
    assert pruned.chunks_removed >= 1
    titles = sorted(a.title for a in runtime.store.get_articles(runtime.store.article_states()).values())
    assert titles == ["Keep", "Other"]
    assert keep.exists() and other.exists()


def test_bad_files_are_reported_and_good_ones_ingested(runtime: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    write_article(folder, "good.txt", "Good one", "Rain fell across the region on Sunday.")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (folder / "latin1.txt").write_bytes("Caf\xe9\nNon UTF-8 body".encode("latin-1"))
    (folder / "cut.json").write_text('[{"title": "x", "text": "abc"')
    (folder / "huge.txt").write_bytes(b"Big\n" + b"a " * int(runtime.settings.ingest.max_file_mb * 500_000 + 10))
    (folder / "feed.jsonl").write_text(json.dumps({"title": "Feed item", "text": "Snow closed the pass."}) + "\n{broken\n")
    unreadable = folder / "locked.txt"
    unreadable.write_text("Locked\nbody")
    unreadable.chmod(0)
    try:
        report = ingest_into(runtime, folder)
    finally:
        unreadable.chmod(0o644)
    failed = {Path(f.path.split(" (")[0]).name: f.error for f in report.failed}
    expected_failures = {"empty.txt", "binary.txt", "latin1.txt", "cut.json", "huge.txt", "feed.jsonl"}
    if os.geteuid() != 0:  # root reads files whatever their mode
        expected_failures.add("locked.txt")
    assert expected_failures <= set(failed)
    assert len(report.failed) == len(failed)  # each bad file reported once
    assert report.added == 2 + (1 if "locked.txt" not in failed else 0)
    stored = {a.title for a in runtime.store.get_articles(runtime.store.article_states()).values()}
    assert {"Good one", "Feed item"} <= stored
