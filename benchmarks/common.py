"""What every benchmark shares: the repo root, the dev corpus, subsets, repetition and printing."""

from __future__ import annotations

import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# ../shared beside the repository (or beside the folder of worktrees the repository is one of)
DEV_KIT = next((d for d in (REPO.parent / "shared" / "evals" / "realtimeqa-dev",
                            REPO.parent.parent / "shared" / "evals" / "realtimeqa-dev") if d.exists()),
               REPO.parent / "shared" / "evals" / "realtimeqa-dev")
DEV_CORPUS = DEV_KIT / "corpus.jsonl.gz"
DEV_QUESTIONS = DEV_CORPUS.parent / "questions.jsonl"

if str(REPO) not in sys.path:  # run as `python benchmarks/x.py` from anywhere
    sys.path.insert(0, str(REPO))


def machine() -> str:
    """CPU model, cores and the load average when the run started (the machine is shared)."""
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores, load {load}, Python {platform.python_version()}"


def header(title: str) -> None:
    print(f"# {title}")
    print(f"# {datetime.now().isoformat(timespec='seconds')} · {machine()}")
    print(f"# command: {' '.join([Path(sys.executable).name, *sys.argv])}")


def summary(values: Iterable[float], unit: str = "s", digits: int = 3) -> str:
    """'median (min-max) unit' over repeated runs."""
    data = sorted(values)
    med = statistics.median(data)
    return f"{med:.{digits}f} {unit} (range {data[0]:.{digits}f}-{data[-1]:.{digits}f}, n={len(data)})"


def percentile(values: list[float], q: float) -> float:
    data = sorted(values)
    index = min(len(data) - 1, max(0, round(q / 100 * (len(data) - 1))))
    return data[index]


def corpus_subset(n_articles: int, out: Path, skip: int = 0) -> Path:
    """The first `n_articles` (after `skip`) of the dev corpus, written to a .jsonl.gz of their own."""
    written = 0
    with gzip.open(DEV_CORPUS, "rt", encoding="utf-8") as source, gzip.open(out, "wt", encoding="utf-8") as sink:
        for number, line in enumerate(source):
            if number < skip:
                continue
            if written >= n_articles:
                break
            sink.write(line)
            written += 1
    return out


def read_jsonl_gz(path: Path) -> list[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`newsdesk ARGS` in a fresh interpreter, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )
