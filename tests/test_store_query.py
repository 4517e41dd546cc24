"""`ArchiveStore.query` with an as-of date: the k nearest allowed chunks, whichever path it takes."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from bot.settings import load_settings
from index import store as store_module
from index.models import Article, Chunk
from index.store import OVERFETCH, ArchiveStore, IndexSpec, open_client

DAY0 = date(2022, 1, 1)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[ArchiveStore, np.ndarray, list[date | None]]:  # type: ignore[type-arg]
    """80 one-chunk articles with random 16-d vectors, one per day, every tenth undated."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((80, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dates: list[date | None] = [None if i % 10 == 0 else DAY0 + timedelta(days=i) for i in range(80)]
    home = tmp_path_factory.mktemp("query") / "home"
    store = ArchiveStore.open(open_client(load_settings(home=home).store), IndexSpec("fake-16", 160, 0, "cl100k_base"))
    items = []
    for i, (vector, published) in enumerate(zip(vectors, dates)):
        text = f"Story {i}."
        article = Article(id=f"a{i:02d}", title=f"Story {i}", text=text, published=published)
        items.append((article, [Chunk(article.id, 0, 0, len(text), text, ((0, len(text)),))], vector[None, :]))
    store.write(items)
    return store, vectors, dates


def brute_force(vectors: np.ndarray, dates: list[date | None], query: np.ndarray,  # type: ignore[type-arg]
                k: int, as_of: date | None) -> list[str]:
    allowed = [i for i, d in enumerate(dates) if as_of is None or d is None or d <= as_of]
    ranked = sorted(allowed, key=lambda i: -float(vectors[i] @ query))
    return [f"a{i:02d}" for i in ranked[:k]]


@pytest.mark.parametrize("days", [None, 200, 79, 60, 30, 12, 5, 1, -3])
def test_as_of_results_are_the_nearest_allowed_chunks(
    filled: tuple[ArchiveStore, np.ndarray, list[date | None]], days: int | None  # type: ignore[type-arg]
) -> None:
    store, vectors, dates = filled
    as_of = None if days is None else DAY0 + timedelta(days=days)
    rng = np.random.default_rng(abs(days or 0))
    for _ in range(10):
        query = rng.standard_normal(16).astype(np.float32)
        query /= np.linalg.norm(query)
        got = store.query(query, k=4, as_of=as_of)
        assert [p.article_id for p in got] == brute_force(vectors, dates, query, 4, as_of)
        assert all(p.published is None or as_of is None or p.published <= as_of for p in got)


def test_the_filter_is_used_only_when_the_nearest_chunks_are_too_new(
    filled: tuple[ArchiveStore, np.ndarray, list[date | None]], monkeypatch: pytest.MonkeyPatch  # type: ignore[type-arg]
) -> None:
    store, vectors, dates = filled
    calls: list[tuple[int, object]] = []
    nearest = store._nearest

    def recording(embedding: list[list[float]], k: int, where: object) -> list[object]:
        calls.append((k, where))
        return nearest(embedding, k, where)  # type: ignore[arg-type, return-value]

    monkeypatch.setattr(store, "_nearest", recording)
    query = vectors[75]  # a late story: its neighbours are mostly later than day 5

    late = DAY0 + timedelta(days=200)
    assert [p.article_id for p in store.query(query, 4, late)] == brute_force(vectors, dates, query, 4, late)
    assert calls == [(4 * OVERFETCH, None)]

    # As of day 5 only 13 of 80 chunks are allowed, so the first fetch finds too few: a wider
    # unfiltered fetch follows, sized by the share allowed so far...
    calls.clear()
    early = DAY0 + timedelta(days=5)
    assert [p.article_id for p in store.query(query, 4, early)] == brute_force(vectors, dates, query, 4, early)
    assert calls[0] == (4 * OVERFETCH, None)
    assert len(calls) == 2 and calls[1][0] > 4 * OVERFETCH and calls[1][1] is None

    # ...unless that would be too wide: then Chroma's filter is asked.
    calls.clear()
    monkeypatch.setattr(store_module, "WIDE_LIMIT", 4 * OVERFETCH)
    assert [p.article_id for p in store.query(query, 4, early)] == brute_force(vectors, dates, query, 4, early)
    assert calls == [(4 * OVERFETCH, None), (4, {"pub": {"$lte": 20220106}})]


@pytest.mark.parametrize(("since", "until"), [(10, 20), (0, 91), (30, 30), (5, 200), (70, None), (40, 35)])
def test_window_results_are_the_nearest_chunks_inside_the_window(
    filled: tuple[ArchiveStore, np.ndarray, list[date | None]], since: int, until: int | None  # type: ignore[type-arg]
) -> None:
    """Short windows are filtered as a list of days, long ones as a range: the same chunks either way."""
    store, vectors, dates = filled
    start = DAY0 + timedelta(days=since)
    end = None if until is None else DAY0 + timedelta(days=until)
    inside = [i for i, d in enumerate(dates) if d is not None and start <= d and (end is None or d <= end)]
    query = vectors[since % 80]
    expected = [f"a{i:02d}" for i in sorted(inside, key=lambda i: -float(vectors[i] @ query))[:5]]
    assert [p.article_id for p in store.query(query, 5, end, since=start)] == expected
