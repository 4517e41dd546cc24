"""Ingest throughput: end-to-end `ingest` vs the encoder alone on the same chunks, in one process.

    nice -n 10 python benchmarks/ingest_throughput.py [--articles 300] [--runs 3] [--embed-backend torch]

Takes the first N articles of the RealTimeQA dev corpus (a subset: the full 4,760 take tens of
minutes here), chunks them once to learn the chunks and their model-token count, then
alternates, `--runs` times each:

  encoder alone   one `embedder.embed(all chunk texts)` call (its best case: one big sorted batch)
  end to end      `ingest.pipeline.ingest` into a fresh embedded store: read, plan, chunk,
                  encode, write, with the stages overlapping

and prints tokens/s for both and their ratio (the pipeline overhead is 1 - ratio). The first
encoder call is a warm-up and is not counted. The ratio of each pair is taken in one process,
minutes apart; on a shared machine absolute figures move by 35% or more between runs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import corpus_subset, header, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--embed-backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    args = parser.parse_args()

    from bot.runtime import Runtime
    from bot.settings import load_settings
    from index.encoders.factory import create_embedder
    from ingest.chunking import embedding_text
    from ingest.files import discover
    from ingest.formats import read_file

    header(f"ingest throughput, first {args.articles} dev-corpus articles, backend {args.embed_backend}")
    with tempfile.TemporaryDirectory() as tmp:
        subset = corpus_subset(args.articles, Path(tmp) / "subset.jsonl.gz")
        settings = load_settings(home=Path(tmp) / "home")  # onnx backends export into it once
        settings.embedding = settings.embedding.model_copy(
            update={"batch_size": args.batch_size, "backend": args.embed_backend}
        )
        embedder = create_embedder(settings.embedding)
        chunker = Runtime(settings, embedder=embedder).chunker

        begun = time.perf_counter()
        articles = [a for path, root, _, _ in discover([subset]) for a in read_file(path, root, 10**9).articles]
        chunked = [(a, chunker.chunk(a)) for a in articles]
        planning = time.perf_counter() - begun
        texts = [embedding_text(a.title, c.text) for a, chunks in chunked for c in chunks]
        tokens = sum(embedder.count_tokens(texts))
        print(f"{len(articles)} articles, {len(texts)} chunks, {tokens} model tokens "
              f"({tokens / len(texts):.0f} per chunk); read+chunk alone {planning:.2f} s")
        embedder.embed(texts[:64])  # warm-up: model load, first allocations

        alone: list[float] = []
        piped: list[float] = []
        ratios: list[float] = []
        for run in range(args.runs):
            begun = time.perf_counter()
            embedder.embed(texts)
            alone.append(tokens / (time.perf_counter() - begun))

            runtime = Runtime(load_settings(home=Path(tmp) / f"home-{run}"), embedder=embedder)
            runtime.store  # noqa: B018 - opened before the clock starts, as before
            begun = time.perf_counter()
            report = runtime.ingest([subset])
            piped.append(tokens / (time.perf_counter() - begun))
            assert report.embedded == len(texts) and not report.failed, report
            ratios.append(piped[-1] / alone[-1])
            print(f"run {run + 1}: encoder alone {alone[-1]:.0f} tok/s, end to end {piped[-1]:.0f} tok/s, "
                  f"ratio {ratios[-1]:.3f}", flush=True)

        print(f"encoder alone   {summary(alone, 'tokens/s', 0)}")
        print(f"end to end      {summary(piped, 'tokens/s', 0)}")
        print(f"ratio           {summary(ratios, '', 3)}  (target >= 0.85)")


if __name__ == "__main__":
    main()
