"""Warm latency of composed answers (an overview, a timeline, the latest, why, a list: bot/compose/),
beside a factoid's, in one process: the runtime is built and warmed up once, then each question is
asked --runs times through the verified answerer, as `newsdesk ask --shape ...` asks it.

    python benchmarks/composed_latency.py --runs 10 [--corpus PATH] [--data-dir DIR]

Default corpus: seeds/ (one article) with its questions; `--corpus PATH` ingests PATH instead (a
folder, a JSONL export...) and asks `--question SHAPE=TEXT@YYYY-MM-DD` (repeat), e.g. the story of
tests/story_archive.py written out with `python -c "from tests.story_archive import write_archive;
print(write_archive(__import__('pathlib').Path('/tmp/story')))"`. Prints p50 and p95 per shape and
over every composed answer.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from common import REPO, header, percentile

SEED_QUESTIONS = [
    ("factoid", "When did protests reach Almaty?", "2022-01-10"),
    ("overview", "What happened in Kazakhstan in January 2022?", "2022-01-07"),
    ("timeline", "Give me a timeline of the unrest in Kazakhstan", "2022-01-07"),
    ("latest", "What's the latest on the protests in Kazakhstan?", "2022-01-07"),
    ("why", "Why did people protest in Kazakhstan?", "2022-01-07"),
    ("list", "Which cities did the protests reach?", "2022-01-07"),
]


def main() -> None:
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from language.shapes import Shape

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--corpus", type=Path, default=REPO / "seeds")
    parser.add_argument("--question", action="append", default=[], metavar="SHAPE=TEXT@DATE")
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse (or fill) this data directory")
    args = parser.parse_args()
    questions = [(q.split("=", 1)[0], q.split("=", 1)[1].rsplit("@", 1)[0], q.rsplit("@", 1)[1])
                 for q in args.question] or SEED_QUESTIONS
    header("composed answers, warm latency")
    home = args.data_dir or Path(tempfile.mkdtemp(prefix="newsdesk-composed-"))
    runtime = Runtime(load_settings(home=home))
    if runtime.store.counts()[0] == 0:
        runtime.ingest([args.corpus])
    print(f"# archive: {runtime.store.counts()[0]} articles from {args.corpus}; warm-up {runtime.warm_up()} s")
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for shape, text, as_of in questions:
        query = runtime.query(text, date.fromisoformat(as_of), shape=Shape(shape))
        runtime.answerer.ask(query)  # the first of each: its article texts read, its dates resolved once
        for _ in range(args.runs):
            started, processor = time.perf_counter(), time.process_time()
            answer = runtime.answerer.ask(query)
            times.setdefault(shape, []).append(time.perf_counter() - started)
            cpu.setdefault(shape, []).append(time.process_time() - processor)
        print(f"{shape:9} {_figures(times[shape], cpu[shape])}  {len(answer.points)} points  {text!r}")
    composed = [shape for shape in times if shape != "factoid"]
    if composed:
        print(f"composed  {_figures([t for s in composed for t in times[s]], [t for s in composed for t in cpu[s]])}")


def _figures(wall: list[float], cpu: list[float]) -> str:
    """Wall p50 and p95, and CPU p50 (user + sys of every thread: the figure to trust on a busy machine)."""
    return (f"wall p50 {1000 * percentile(wall, 50):5.0f} ms p95 {1000 * percentile(wall, 95):5.0f} ms · "
            f"CPU p50 {1000 * percentile(cpu, 50):5.0f} ms (n={len(wall)})")


if __name__ == "__main__":
    main()
