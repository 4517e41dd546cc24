"""An article whose id is already another's is not stored, and the line that says so tells the user
what to do: advice that, followed, stores it and leaves the other article as it was."""

from __future__ import annotations

import json
from pathlib import Path

from bot.runtime import Runtime
from bot.settings import load_settings
from index.encoders.embedder import HashingEmbedder
from index.memory_store import MemoryStore


def write(folder: Path, name: str, *records: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def runtime(home: Path) -> Runtime:
    return Runtime(load_settings(home=home), embedder=HashingEmbedder(), store=MemoryStore())


DAM = {"id": "1", "title": "Dam opens", "text": "The dam opened on Monday after ten years of works."}
MINE = {"id": "1", "title": "Mine closes", "text": "The mine shut on Tuesday, the company said."}


def test_the_hint_for_an_export_id_clash_is_the_one_that_works(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    write(parent / "a", "export.jsonl", DAM)
    clashing = write(parent / "b", "export.jsonl", MINE)
    rt = runtime(tmp_path / "home")
    assert rt.ingest([parent / "a"]).added == 1

    report = rt.ingest([parent / "b"])
    assert report.added == 0 and len(report.failed) == 1
    error = report.failed[0].error
    assert "already used" in error and "common parent folder" not in error
    assert "`id` of its own" in error

    # Following the hint: the record gets an id of its own; the other article stays as it was.
    write(parent / "b", clashing.name, {**MINE, "id": "mine-1"})
    followed = rt.ingest([parent / "b"])
    assert (followed.added, followed.failed) == (1, [])
    dam, mine = rt.store.get_article("1"), rt.store.get_article("mine-1")
    assert dam is not None and (dam.title, dam.source) == ("Dam opens", "a")
    assert mine is not None and mine.title == "Mine closes"


def test_the_hint_for_a_url_clash_names_the_shared_url(tmp_path: Path) -> None:
    rt = runtime(tmp_path / "home")
    write(tmp_path / "a", "export.jsonl", {**DAM, "id": None, "url": "https://news.example/story?utm_source=x"})
    assert rt.ingest([tmp_path / "a"]).added == 1
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "page.md").write_text(
        "---\ntitle: Mine closes\nurl: https://www.news.example/story\n---\nThe mine shut on Tuesday.\n",
        encoding="utf-8")
    report = rt.ingest([tmp_path / "b"])
    assert len(report.failed) == 1
    error = report.failed[0].error
    assert "common parent folder" not in error and "news.example/story" in error
