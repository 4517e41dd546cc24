"""Query speed at scale: fill an embedded store with synthetic chunks, time retrieval as it grows.

    nice -n 10 python benchmarks/query_scale.py [--target 1000000] [--minutes 10] [--data-dir DIR]

Writes through the runtime's store, `Archive.write` (the ingest path: chunk records with their real metadata,
full article texts in the article collection), 12 chunks of ~650 characters per article. The
vectors are SYNTHETIC: 384-d unit vectors drawn around 2,000 random topic centres (clustered
like real embeddings, not uniform noise); each query is a perturbed stored vector. Publication
dates are spread over 2012-2022.

At each checkpoint it reports: chunks, fill rate, disk size, peak RSS, and `store.query` (k=8,
the dense retrieval of `ask`) p50/p95 over the queries for:

  no date         as_of=None
  as of today     as_of=date.today() (what `ask` passes by default)
  as of history   as_of uniform over the archive's dates (the eval's case)
  raw where       Chroma's `where` filter on every query (what store.query avoids when it can)

It stops at --target chunks or after --minutes of filling, whichever comes first. Given an
existing --data-dir, it goes on filling that store (fill rates then cover this run only).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from common import header, percentile

if TYPE_CHECKING:
    from index.archive import Archive

CHUNKS_PER_ARTICLE = 12
ARTICLES_PER_WRITE = 400
FIRST_DAY, DAYS = date(2012, 1, 1), 11 * 365
FILLER = ("Officials said the council would meet again next week to discuss the plan, which has "
          "divided residents since it was first proposed. ")


def noise(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:  # type: ignore[type-arg]
    """Gaussian noise of norm about 1 per row: a chunk lands at cosine ~0.7 to its topic centre."""
    return (rng.standard_normal(shape) / shape[-1] ** 0.5).astype(np.float32)


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", type=int, default=1_000_000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--checkpoints", default="50000,100000,250000,500000,1000000")
    parser.add_argument("--data-dir", type=Path, help="keep the store here (default: a temporary one)")
    parser.add_argument("--measure-only", action="store_true", help="time queries on the store in --data-dir")
    args = parser.parse_args()

    from bot.runtime import Runtime
    from bot.settings import load_settings
    from index.encoders.embedder import HashingEmbedder

    header(f"query speed at scale, synthetic 384-d vectors, target {args.target} chunks, {args.minutes} min")
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((2000, 384)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)

    tmp = tempfile.TemporaryDirectory()
    home = args.data_dir or Path(tmp.name) / "home"
    synthetic = HashingEmbedder(name="synthetic-384", dimension=384)  # names the index: vectors are made here
    store = Runtime(load_settings(home=home), embedder=synthetic, namespace="scale").store
    if args.measure_only:
        print("chunks     fill/s   disk MB  peak RSS MB | p50/p95 ms: no date    as of today  as of history  raw where")
        measure(store, rng, centres, store.counts()[1], 0, 0.0, home, args.queries)
        return
    checkpoints = sorted(int(c) for c in args.checkpoints.split(",") if int(c) <= args.target)
    if not checkpoints or checkpoints[-1] != args.target:
        checkpoints.append(args.target)
    print("chunks     fill/s   disk MB  peak RSS MB | p50/p95 ms: no date    as of today  as of history  raw where")

    number, written = store.counts()  # an existing --data-dir is filled further
    first = written
    rng = np.random.default_rng(number + 2)  # new draws for new chunks (the centres stay the same)
    filling = 0.0
    checkpoints = [c for c in checkpoints if c > written] or [written]
    deadline = time.monotonic() + args.minutes * 60
    while checkpoints:
        if written >= checkpoints[0] or time.monotonic() > deadline:
            measure(store, rng, centres, written, written - first, filling, home, args.queries)
            if time.monotonic() > deadline:
                print(f"# stopped filling after {args.minutes} min at {written} chunks")
                break
            checkpoints.pop(0)
            continue
        items = [synthetic_article(number + n, rng, centres) for n in range(ARTICLES_PER_WRITE)]
        number += ARTICLES_PER_WRITE
        begun = time.perf_counter()
        store.write(items, fresh=[a.id for a, _, _ in items])
        filling += time.perf_counter() - begun
        written += ARTICLES_PER_WRITE * CHUNKS_PER_ARTICLE
    tmp.cleanup()


def synthetic_article(number: int, rng: np.random.Generator, centres: np.ndarray):  # type: ignore[no-untyped-def,type-arg]
    """Article `number`, its chunks (one a line) and their vectors, drawn around a random centre."""
    from index.models import Article, Chunk

    centre = centres[rng.integers(len(centres))]
    vectors = centre + noise(rng, (CHUNKS_PER_ARTICLE, 384))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    published = FIRST_DAY + timedelta(days=int(rng.integers(DAYS)))
    text = "".join(f"[{number}.{i}] " + FILLER * 4 + "\n" for i in range(CHUNKS_PER_ARTICLE))
    article = Article(id=f"s{number:08d}", title=f"Synthetic story {number}", text=text,
                      published=published, url=f"https://example.org/{published:%Y/%m/%d}/story-{number}",
                      source="example.org")
    chunks, start = [], 0
    for i, line in enumerate(text.splitlines(keepends=True)):
        end = start + len(line) - 1
        chunks.append(Chunk(article.id, i, start, end, text[start:end], ((start, end),)))
        start += len(line)
    return article, chunks, vectors.astype(np.float32)


def measure(store: Archive, rng: np.random.Generator, centres: np.ndarray,  # type: ignore[type-arg]
            written: int, added: int, filling: float, home: Path, n_queries: int) -> None:
    """One row; the fill rate counts the chunks this run added."""
    queries = centres[rng.integers(len(centres), size=n_queries)]
    queries = queries + noise(rng, queries.shape)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    history = [FIRST_DAY + timedelta(days=int(d)) for d in rng.integers(DAYS, size=n_queries)]

    def timed(run: object, count: int) -> str:
        times = []
        for i in range(count):
            begun = time.perf_counter()
            run(i)  # type: ignore[operator]
            times.append((time.perf_counter() - begun) * 1000)
        return f"{percentile(times, 50):6.1f}/{percentile(times, 95):<6.1f}"

    today = date.today()
    plain = timed(lambda i: store.query(queries[i], 8), n_queries)
    recent = timed(lambda i: store.query(queries[i], 8, today), n_queries)
    past = timed(lambda i: store.query(queries[i], 8, history[i]), n_queries)
    nearest = getattr(store, "_nearest", None)  # the Chroma store's query with a raw `where`
    where = timed(lambda i: nearest([queries[i].tolist()], 8, {"pub": {"$lte": 20170101}}),
                  max(20, n_queries // 4)) if nearest else f"{'-':^13}"
    rate = added / filling if filling else 0.0
    print(f"{written:<10} {rate:6.0f}   {disk_mb(home):7.0f}  {peak_rss_mb():11.0f} | "
          f"{plain}  {recent}  {past}  {where}", flush=True)


if __name__ == "__main__":
    main()
