"""Hybrid retrieval: dense and BM25 fused by reciprocal rank, nothing after the reference date.

A real Chroma store (and the in-memory one, which must behave the same) and a real BM25 index; the
embedder is the hashing fake (a bag of words), which ranks by shared words without knowing which
words are rare, as meaning-based search blurs names.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.query import build_query
from bot.settings import load_settings
from index.archive import Archive
from index.encoders.embedder import HashingEmbedder
from index.lexical import open_lexical
from index.memory_store import MemoryStore
from index.models import Article, Chunk
from index.retrieval import HybridRetriever
from index.store import ArchiveStore, IndexSpec, open_client

AS_OF = date(2022, 1, 15)
QUESTION = "Did the strike in Zhanaozen close the port?"
ARTICLES = {
    "strike": (date(2022, 1, 10), "The port strike closed the port. Workers at the port joined the strike."),
    "oil": (date(2022, 1, 9), "The strike closed the oil port, and the strike spread to the next port."),
    "square": (date(2022, 1, 8), "Residents of Zhanaozen gathered in the central square with tea, bread, "
                                 "banners and drums on a cold morning after weeks of rising prices."),
    "weather": (date(2022, 1, 7), "Snow closed roads in the north, and the port authority warned of ice."),
    "later": (date(2022, 2, 1), "Zhanaozen: the strike closed the port again, a month later."),
}


@pytest.fixture(scope="module", params=["chroma", "memory"])
def parts(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> tuple[Archive, HashingEmbedder, Path]:
    home = tmp_path_factory.mktemp("retrieval") / "home"
    embedder = HashingEmbedder()
    spec = IndexSpec(embedder.name, 160, 0, "cl100k_base")
    store: Archive = (ArchiveStore.open(open_client(load_settings(home=home).store), spec)
                      if request.param == "chroma" else MemoryStore(spec))
    items = []
    for article_id, (published, text) in ARTICLES.items():
        article = Article(id=article_id, title="", text=text, published=published)
        chunk = Chunk(article_id, 0, 0, len(text), text, ((0, len(text)),))
        items.append((article, [chunk], embedder.embed([text])))
    store.write(items)
    return store, embedder, home


def query(text: str, as_of: date = AS_OF):  # type: ignore[no-untyped-def]
    return build_query(text, as_of, 1000)


def ranked(retriever: HybridRetriever, k: int, as_of: date = AS_OF) -> list[str]:
    return [p.article_id for p in retriever.search(query(QUESTION, as_of), k)]


def test_bm25_keeps_a_rare_name_that_shared_common_words_push_down(
    parts: tuple[Archive, HashingEmbedder, Path],
) -> None:
    store, embedder, home = parts
    dense_only = ranked(HybridRetriever(store, embedder), k=4)
    hybrid = ranked(HybridRetriever(store, embedder, open_lexical(home, store)), k=4)
    assert dense_only[-1] == "square"  # "strike", "port", "closed" outweigh the one name
    assert hybrid.index("square") < dense_only.index("square")  # BM25 weighs the rare name


def test_nothing_published_after_the_reference_date_is_returned(
    parts: tuple[Archive, HashingEmbedder, Path],
) -> None:
    store, embedder, home = parts
    retriever = HybridRetriever(store, embedder, open_lexical(home, store))
    assert "later" not in ranked(retriever, k=10)
    assert "later" not in [p.article_id for p in retriever.keyword_search(query(QUESTION), 10)]
    assert "later" in ranked(retriever, k=10, as_of=date(2022, 2, 1))


def test_a_named_window_favours_its_articles(parts: tuple[Archive, HashingEmbedder, Path]) -> None:
    store, embedder, home = parts
    retriever = HybridRetriever(store, embedder, open_lexical(home, store))
    day = date(2022, 1, 10)
    assert retriever.search(query("What closed the port?", day), 4)[0].article_id == "strike"
    found = retriever.search(query("What closed the port yesterday?", day), 4)
    assert found[0].article_id == "oil"  # published 9 January: the day before the reference date
    assert all(p.published is None or p.published <= day for p in found)
