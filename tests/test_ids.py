"""Article ids (issue 21): one file is one article whatever name or folder reached it, an export
cannot plant an id that names a version, and a record that failed to read is never pruned.

The real pipeline, the in-memory store and the hashing encoder: fast, and the point is the ids,
not the store. Each of these failed before its fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.embedder import HashingEmbedder
from index.memory_store import MemoryStore
from index.versions import version_id
from ingest.chunking import create_chunker
from ingest.pipeline import ingest
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
