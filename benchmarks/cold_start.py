"""Cold start: `newsdesk --help`, and a cold `newsdesk ask` split into its phases.

Every run is a fresh interpreter (the OS page cache stays warm: these are "warm-disk cold
starts", the common case on a server). Phases of `ask`, timed inside the child process:

  imports     the CLI and everything `ask` needs (chromadb, the encoder's library)
  model load  building the encoder and encoding one word
  index open  opening the Chroma store and counting the archive
  answering   retrieval + answer + citation check for one question

    python benchmarks/cold_start.py [--runs 5] [--data-dir DIR] [--embed-backend torch|onnx|onnx-int8]

Without --data-dir the seed articles are ingested into a temporary data directory first (with
an onnx backend, that also exports the encoder once, outside the timed runs).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, cli, header, summary

QUESTION = "When did protests reach Almaty?"
PHASES = ("imports", "model load", "index open", "answering")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child(home: Path, question: str) -> None:
    """Runs in the fresh interpreter: time each phase of one `ask` and print them as JSON."""
    started = time.perf_counter()
    marks: dict[str, float] = {}

    import chromadb  # noqa: F401

    if os.environ.get("NEWSDESK_EMBED_BACKEND", "torch") == "torch":
        import sentence_transformers  # noqa: F401
    else:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401

    from datetime import date

    import bot.cli.main  # noqa: F401  (what `newsdesk` imports before any command runs)
    from bot.runtime import Runtime
    from bot.settings import load_settings

    settings = load_settings(home=home)
    runtime = Runtime(settings)

    marks["imports"] = time.perf_counter()
    runtime.embedder.embed(["warm"])
    marks["model load"] = time.perf_counter()
    runtime.store.counts()
    marks["index open"] = time.perf_counter()
    answer = runtime.answerer.ask(runtime.query(question, date.today()))
    marks["answering"] = time.perf_counter()

    previous, out = started, {}
    for phase in PHASES:
        out[phase] = marks[phase] - previous
        previous = marks[phase]
    out["abstained"] = answer.answer is None
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--embed-backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    args = parser.parse_args()
    os.environ["NEWSDESK_EMBED_BACKEND"] = args.embed_backend  # for every child process
    if args.child:
        child(args.data_dir, args.question)
        return

    header(f"cold start, backend {args.embed_backend}")
    helps, cpu = [], []
    for _ in range(max(args.runs, 10)):
        begun, used = time.perf_counter(), children_cpu()
        done = cli("--help")
        helps.append(time.perf_counter() - begun)
        cpu.append(children_cpu() - used)
        assert done.returncode == 0, done.stderr
    print(f"newsdesk --help                       {summary(helps)}")
    print(f"newsdesk --help, CPU time (user+sys)  {summary(cpu)}  (less sensitive to a busy machine)")

    with tempfile.TemporaryDirectory() as tmp:
        home = args.data_dir or Path(tmp) / "home"
        if args.data_dir is None:
            done = cli("ingest", str(REPO / "seeds"), "--data-dir", str(home))
            assert done.returncode == 0, done.stderr

        walls = []
        for _ in range(args.runs):
            begun = time.perf_counter()
            done = cli("ask", args.question, "--data-dir", str(home))
            walls.append(time.perf_counter() - begun)
            assert done.returncode == 0, done.stderr
        print(f"newsdesk ask (wall, whole process)    {summary(walls)}")

        phases: dict[str, list[float]] = {p: [] for p in PHASES}
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, __file__, "--child", "--data-dir", str(home), "--question", args.question,
                 "--embed-backend", args.embed_backend],
                capture_output=True, text=True, check=True, cwd=REPO,
            )
            timings = json.loads(done.stdout.strip().splitlines()[-1])
            for phase in PHASES:
                phases[phase].append(timings[phase])
        for phase in PHASES:
            print(f"  ask phase: {phase:<24} {summary(phases[phase])}")


if __name__ == "__main__":
    main()
