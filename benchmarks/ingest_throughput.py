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
minutes apart; on a shared machine absolute figures move by 35% or more between runs, and a run
whose processes hold more busy threads gets a larger share of a loaded machine (with `--workers`
an end-to-end run can even beat the encoder alone). So each run also prints the CPU time of
both sides (this process and, end to end, its worker processes) and its CPU ratio (encoder
alone / end to end: the share of an ingest's CPU time that is encoding), and the load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from common import corpus_subset, header, summary

if TYPE_CHECKING:
    from bot.settings import Settings
    from index.encoders.embedder import Embedder


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its children that have ended (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def catch_up(settings: Settings, embedder: Embedder, subset: Path, chunks: int, alone_cpu: float) -> None:
    """The ingest that marks up what an ingest without mark-up stored (same sources, vectors reused)."""
    from bot.runtime import Runtime

    settings.ingest.annotate = True
    runtime = Runtime(settings, embedder=embedder)
    runtime.store  # noqa: B018
    begun, cpu = time.perf_counter(), cpu_seconds()
    report = runtime.ingest([subset])
    seconds, used = time.perf_counter() - begun, cpu_seconds() - cpu
    assert report.embedded == 0, report
    print(f"  catch-up mark-up: {chunks} passages in {seconds:.1f} s ({chunks / seconds:.1f} passages/s), "
          f"CPU {used:.1f} s ({used / alone_cpu:.2f}x the encoder's); encoded {report.embedded}, "
          f"updated {report.updated}, versions kept {report.versions_kept}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--embed-backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--mark-up-later", action="store_true",
                        help="end to end without mark-up, then time the ingest that marks the stored chunks up "
                             "(their vectors reused): the deferred route")
    parser.add_argument("--workers", type=int, default=None,
                        help="ingest --workers (default: the setting's default, one per core up to 4)")
    args = parser.parse_args()

    from bot.runtime import Runtime
    from bot.settings import load_settings
    from index.encoders.factory import create_embedder
    from ingest.chunking import embedding_text
    from ingest.files import discover
    from ingest.formats import read_file

    header(f"ingest throughput, first {args.articles} dev-corpus articles, backend {args.embed_backend}, "
           f"workers {args.workers or 'default'}")
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
        cpu_ratios: list[float] = []
        for run in range(args.runs):
            begun, cpu = time.perf_counter(), cpu_seconds()
            embedder.embed(texts)
            alone.append(tokens / (time.perf_counter() - begun))
            alone_cpu = cpu_seconds() - cpu

            run_settings = load_settings(home=Path(tmp) / f"home-{run}")
            if args.workers is not None:
                run_settings.ingest.workers = args.workers
            run_settings.ingest.annotate = not args.mark_up_later
            runtime = Runtime(run_settings, embedder=embedder)
            runtime.store  # noqa: B018 - opened before the clock starts, as before
            begun, cpu = time.perf_counter(), cpu_seconds()
            report = runtime.ingest([subset])
            piped.append(tokens / (time.perf_counter() - begun))
            piped_cpu = cpu_seconds() - cpu
            assert report.embedded == len(texts) and not report.failed, report
            ratios.append(piped[-1] / alone[-1])
            cpu_ratios.append(alone_cpu / piped_cpu)
            print(f"run {run + 1}: encoder alone {alone[-1]:.0f} tok/s, end to end {piped[-1]:.0f} tok/s, "
                  f"ratio {ratios[-1]:.3f}; CPU {alone_cpu:.1f} s vs {piped_cpu:.1f} s, CPU ratio "
                  f"{cpu_ratios[-1]:.3f}; load {os.getloadavg()[0]:.1f}", flush=True)
            if args.mark_up_later:
                catch_up(run_settings, embedder, subset, len(texts), alone_cpu)

        print(f"encoder alone   {summary(alone, 'tokens/s', 0)}")
        print(f"end to end      {summary(piped, 'tokens/s', 0)}")
        print(f"ratio           {summary(ratios, '', 3)}  (target >= 0.85)")
        print(f"CPU ratio       {summary(cpu_ratios, '', 3)}")


if __name__ == "__main__":
    main()
