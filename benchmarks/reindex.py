"""Re-index cost: a second ingest of an unchanged corpus, and 10 new articles into an existing index.

    nice -n 10 python benchmarks/reindex.py [--articles 100] [--runs 3] [--embed-backend torch]
                                            [--full-fake]

Part 1, the real thing through the CLI (fresh interpreter each time, like a nightly cron job):
the first N dev-corpus articles are ingested once (timed once), then

  unchanged   `newsdesk ingest SUBSET` again, `--runs` times: nothing must be encoded
  10 new      `newsdesk ingest NEW10` into a copy of that index, vs into an empty data dir

Each line gives the process wall time and the pipeline's own `seconds` (without interpreter
start and imports).

Part 2 (--full-fake): the same on the whole dev corpus (4,760 articles) in one process, with
the deterministic hashing encoder (384-d) instead of the model, since encoding the whole corpus
takes most of an hour here. A second ingest never encodes, so its cost is the real one; only the
first ingest's figure is not.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from common import cli, corpus_subset, header, summary


def timed_cli(*args: str) -> tuple[float, dict[str, object]]:
    begun = time.perf_counter()
    done = cli(*args, "--json")
    wall = time.perf_counter() - begun
    assert done.returncode == 0, done.stderr
    return wall, json.loads(done.stdout)


def part_cli(tmp: Path, n_articles: int, runs: int, backend: str) -> None:
    subset = corpus_subset(n_articles, tmp / "subset.jsonl.gz")
    new10 = corpus_subset(10, tmp / "new10.jsonl.gz", skip=n_articles)
    home = tmp / "home"
    flags = ["--embed-backend", backend]
    first_wall, first = timed_cli("ingest", str(subset), "--data-dir", str(home), *flags)
    print(f"first ingest of {n_articles} articles: {first_wall:.1f} s wall, pipeline {first['seconds']} s, "
          f"{first['chunks_added']} chunks (n=1)")

    walls, inner = [], []
    for _ in range(runs):
        wall, report = timed_cli("ingest", str(subset), "--data-dir", str(home), *flags)
        assert report["embedded"] == 0 and report["unchanged"] == n_articles, report
        walls.append(wall)
        inner.append(float(report["seconds"]))  # type: ignore[arg-type]
    print(f"unchanged re-ingest   wall {summary(walls)}; pipeline {summary(inner)}")
    print(f"  first / unchanged (wall): {first_wall / sorted(walls)[len(walls) // 2]:.0f}x")

    into, alone, into_inner, alone_inner = [], [], [], []
    for run in range(runs):
        copy = tmp / f"copy-{run}"
        shutil.copytree(home, copy)
        wall, report = timed_cli("ingest", str(new10), "--data-dir", str(copy), *flags)
        assert report["added"] == 10, report
        into.append(wall)
        into_inner.append(float(report["seconds"]))  # type: ignore[arg-type]
        wall, report = timed_cli("ingest", str(new10), "--data-dir", str(tmp / f"empty-{run}"), *flags)
        alone.append(wall)
        alone_inner.append(float(report["seconds"]))  # type: ignore[arg-type]
    print(f"10 new into the index wall {summary(into)}; pipeline {summary(into_inner)}")
    print(f"10 new, empty index   wall {summary(alone)}; pipeline {summary(alone_inner)}")


def part_full_fake(tmp: Path, runs: int) -> None:
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from index.archive import Archive
    from index.encoders.embedder import HashingEmbedder
    from ingest.chunking import create_chunker
    from ingest.pipeline import ingest

    embedder = HashingEmbedder(dimension=384)
    chunker = create_chunker(160, 0, "cl100k_base", 256, _model_token_counter())

    def store_at(home: Path) -> Archive:  # the default chunking: 160 tokens, no overlap, cl100k_base
        return Runtime(load_settings(home=home), embedder=embedder).store

    head = corpus_subset(4750, tmp / "head.jsonl.gz")
    tail = corpus_subset(10, tmp / "tail.jsonl.gz", skip=4750)
    store = store_at(tmp / "full")
    first = ingest([head], store, embedder, chunker, max_bytes=10**9)
    print(f"[fake vectors] first ingest of 4,750 articles: {first.seconds:.1f} s, {first.chunks_added} chunks "
          "(hashing encoder: not the real first-ingest cost)")
    again = [ingest([head], store, embedder, chunker, max_bytes=10**9) for _ in range(runs)]
    assert all(r.embedded == 0 and r.unchanged == 4750 for r in again)
    print(f"[fake vectors] unchanged re-ingest of 4,750: pipeline {summary(r.seconds for r in again)}")
    into = []
    for run in range(runs):
        copy = tmp / f"full-{run}"
        shutil.copytree(tmp / "full", copy)
        into.append(ingest([tail], store_at(copy), embedder, chunker, max_bytes=10**9).seconds)
    alone = [ingest([tail], store_at(tmp / f"tail-{run}"), embedder, chunker, max_bytes=10**9).seconds
             for run in range(runs)]
    print(f"[fake vectors] 10 new into the 4,750 index: pipeline {summary(into)}")
    print(f"[fake vectors] 10 new into an empty index:  pipeline {summary(alone)}")


def _model_token_counter():  # type: ignore[no-untyped-def]
    from index.encoders.embedder import counting_tokenizer
    from index.encoders.offline import bundled_model_path

    tokenizer = counting_tokenizer(bundled_model_path())
    return lambda texts: [len(e.ids) for e in tokenizer.encode_batch(list(texts))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--embed-backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--full-fake", action="store_true", help="also part 2 (whole corpus, fake vectors)")
    parser.add_argument("--skip-cli", action="store_true", help="part 2 only")
    args = parser.parse_args()
    header(f"re-index, backend {args.embed_backend}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_cli:
            part_cli(Path(tmp), args.articles, args.runs, args.embed_backend)
        if args.full_fake or args.skip_cli:
            part_full_fake(Path(tmp), args.runs)


if __name__ == "__main__":
    main()
