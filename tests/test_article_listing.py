"""`ArchiveStore.article_summaries` and `articles_from_path`: metadata only, real Chroma, hashing fake."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.settings import load_settings
from index.archive import ArticleFilter
from index.encoders.embedder import HashingEmbedder
from index.store import ArchiveStore, IndexSpec, open_client
from ingest.chunking import create_chunker
from ingest.pipeline import ingest


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[ArchiveStore, Path]:
    """Three dated stories, an undated note and a two-record JSONL export, ingested for real."""
    root = tmp_path_factory.mktemp("listing")
    folder = root / "news"
    folder.mkdir()
    (folder / "harbour.txt").write_text(" date 2022-01-03 Harbour reopens after storm\nThe harbour reopened on Monday.\n")
    (folder / "bridge.txt").write_text(" date 2022-01-05 Bridge closed for repairs\nThe old bridge closed for a month.\n")
    (folder / "aardvark.txt").write_text(" date 2022-01-05 Aardvark seen at the harbour\nA keeper saw it at dawn.\n")
    (folder / "note.txt").write_text("Undated note on the harbour\nNobody recorded when this was written.\n")
    records = [
        {"id": "wire-1", "title": "Wire story one", "text": "The first wire story.", "published": "2021-12-30",
         "url": "https://www.Example.org/one", "source": "Example Wire"},
        {"id": "wire-2", "title": "Wire story two", "text": "The second wire story.", "published": "2022-01-04",
         "url": "https://www.example.org/two", "source": "Example Wire"},
    ]
    (folder / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    store = ArchiveStore.open(open_client(load_settings(home=root / "home").store),
                              IndexSpec("hashing-fake", 40, 0, "cl100k_base"))
    embedder = HashingEmbedder()
    chunker = create_chunker(40, 0, "cl100k_base", embedder.max_tokens, embedder.count_tokens)
    report = ingest([folder], store, embedder, chunker, max_bytes=1_000_000)
    assert not report.failed
    return store, folder


def titles(store: ArchiveStore, where: ArticleFilter | None = None) -> list[str]:
    return [s.title for s in store.article_summaries(where)]


def test_every_article_newest_first_then_by_title_undated_last(archive: tuple[ArchiveStore, Path]) -> None:
    store, folder = archive
    summaries = store.article_summaries()
    assert [s.title for s in summaries] == [
        "Aardvark seen at the harbour", "Bridge closed for repairs", "Wire story two",
        "Harbour reopens after storm", "Wire story one", "Undated note on the harbour",
    ]
    first = summaries[0]
    assert first.published == date(2022, 1, 5) and first.chunks >= 1
    assert first.path == str((folder / "aardvark.txt").resolve())
    assert summaries[-1].published is None
    assert {s.id for s in summaries} == set(store.article_states())


def test_summaries_carry_metadata_and_never_the_text(archive: tuple[ArchiveStore, Path]) -> None:
    store, _ = archive
    wire = next(s for s in store.article_summaries() if s.id == "wire-1")
    data = wire.to_json()
    assert data == {
        "id": "wire-1", "title": "Wire story one", "published": "2021-12-30",
        "url": "https://www.Example.org/one", "source": "Example Wire", "path": wire.path,
        "chunks": wire.chunks,
    }
    assert "text" not in data


def test_filters_combine(archive: tuple[ArchiveStore, Path]) -> None:
    store, _ = archive
    assert titles(store, ArticleFilter(since=date(2022, 1, 4))) == [
        "Aardvark seen at the harbour", "Bridge closed for repairs", "Wire story two"]
    # A date filter leaves undated articles out: nobody knows whether they are in the window.
    assert titles(store, ArticleFilter(until=date(2022, 1, 3))) == ["Harbour reopens after storm", "Wire story one"]
    assert titles(store, ArticleFilter(since=date(2022, 1, 4), until=date(2022, 1, 4))) == ["Wire story two"]
    assert titles(store, ArticleFilter(source="example WIRE")) == ["Wire story two", "Wire story one"]
    assert titles(store, ArticleFilter(title_words=("HARBOUR",))) == [
        "Aardvark seen at the harbour", "Harbour reopens after storm", "Undated note on the harbour"]
    assert titles(store, ArticleFilter(title_words=("harbour", "storm"))) == ["Harbour reopens after storm"]
    assert titles(store, ArticleFilter(path="wire.jsonl")) == ["Wire story two", "Wire story one"]
    assert titles(store, ArticleFilter(path="wire.jsonl", since=date(2022, 1, 1))) == ["Wire story two"]
    assert titles(store, ArticleFilter(title_words=("zebra",))) == []


def test_articles_from_a_path(archive: tuple[ArchiveStore, Path]) -> None:
    store, folder = archive
    (harbour,) = store.articles_from_path(str((folder / "harbour.txt").resolve()))
    assert harbour.title == "Harbour reopens after storm"
    wire = store.articles_from_path(str((folder / "wire.jsonl").resolve()))
    assert [s.id for s in wire] == ["wire-2", "wire-1"]
    assert store.articles_from_path(str(folder / "missing.txt")) == []
    assert store.articles_from_path("") == []
