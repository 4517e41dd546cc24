"""Cold start: what a person waits for, each figure a fresh process, side by side in one run.

Rows:
  newsdesk --help
  newsdesk ask                 default settings (the onnx encoder and the int8 sentence encoder, exported)
  newsdesk ask, torch backend  NEWSDESK_EMBED_BACKEND=torch
  Slack bot, first answer      `newsdesk slack --http` started against a fake Slack on 127.0.0.1
                               (tests/slack_fake.py); one signed mention sent as soon as it listens;
                               until its reply is posted
  first ingest                 the README's first command into an empty data directory, which
                               exports the encoder once (one run; not with --data-dir)

Per row: wall seconds, CPU seconds (user + sys of the process and its children) and peak RSS,
medians over --runs runs with their range, and the 1-minute load average before each run (the
rows take turns, so a change of load touches them all). CPU seconds are the figure to trust on
a busy machine. Then where the time goes: each `ask` split into phases in a fresh interpreter,
and `python -X importtime` of the slowest command, by top-level package.

    python benchmarks/cold_start.py --runs 5 [--data-dir DIR] [--compare DIR] [--json OUT]

--compare DIR adds the default `ask` run from another checkout (`git worktree add /tmp/before
COMMIT`), against the same data directory: before and after on the same machine, same minutes.
Every run is a "warm-disk cold start": a fresh interpreter, with the OS page cache warm.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from common import REPO, header

QUESTION = "When did protests reach Almaty?"
SECRET = "benchmark-signing-secret"
PHASES = ("imports", "index open", "encoders", "answering")


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    load: float  # 1-minute load average just before the run


@dataclass
class Row:
    label: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    def cell(self, key: str, digits: int) -> str:
        values = sorted(getattr(s, key) for s in self.samples)
        if len(values) == 1:
            return f"{values[0]:.{digits}f}"
        return f"{statistics.median(values):.{digits}f} [{values[0]:.{digits}f}-{values[-1]:.{digits}f}]"

    def median(self, key: str) -> float:
        return statistics.median(getattr(s, key) for s in self.samples)


def newsdesk(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", *args]


def env_for(repo: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "SLACK_"))}
    return {**env, "PYTHONPATH": str(repo), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **extra}


def measure(command: list[str], env: dict[str, str]) -> Sample:
    """Run `command` to its end: wall time, and the CPU time and peak RSS of its process tree.
    It runs in the checkout it imports from (`python -m` puts the working directory first)."""
    load = os.getloadavg()[0]
    begun = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=env["PYTHONPATH"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - begun
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{errors.decode(errors='replace')[-3000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, load)


def slack_first_answer(home: Path, repo: Path) -> Sample:
    """Start the Slack bot, mention it as soon as it listens, stop it once it has replied."""
    from tests.slack_fake import (
        FakeSlack,
        event_envelope,
        free_port,
        mention,
        post_signed,
        wait_for,
    )

    fake, port = FakeSlack(), free_port()
    env = env_for(repo, SLACK_BOT_TOKEN="xoxb-benchmark", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.api_url)
    load = os.getloadavg()[0]
    begun = time.perf_counter()
    process = subprocess.Popen(
        newsdesk("slack", "--http", "--port", str(port), "--host", "127.0.0.1", "--data-dir", str(home)),
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/slack/events"
        wait_for(lambda: process.poll() is not None or _listening(port), timeout=600, what="the bot to listen")
        if process.poll() is not None:
            raise SystemExit("the Slack bot exited before listening")
        # A new event and message each run: the bot remembers (on disk) what it has answered.
        ts, event = f"{int(time.time())}.{time.time_ns() % 1_000_000:06d}", f"EvBENCH{time.time_ns()}"
        status, _ = post_signed(url, event_envelope(mention(QUESTION, ts), event), SECRET, "application/json")
        assert status == 200, status
        wait_for(lambda: fake.received("chat.postMessage"), timeout=180, what="the first reply")
        wall = time.perf_counter() - begun
        cpu, rss = _process_usage(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)
        fake.close()
    return Sample(wall, cpu, rss, load)


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _process_usage(pid: int) -> tuple[float, float]:
    """CPU seconds (user + sys) and peak RSS (MB) of a running process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    peak = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM"))
    return cpu, int(peak.split()[1]) / 1024


def child(home: Path, question: str) -> None:
    """In a fresh interpreter: time each phase of one `ask` and print them as JSON."""
    started = time.perf_counter()
    marks: dict[str, float] = {}
    from datetime import date

    import bot.cli.main  # noqa: F401  (what `newsdesk` imports before any command runs)
    from bot.runtime import Runtime
    from bot.settings import load_settings

    runtime = Runtime(load_settings(home=home))
    runtime.store  # noqa: B018 - chromadb imported and the store opened
    marks["imports"] = time.perf_counter()
    runtime.store.counts()
    marks["index open"] = time.perf_counter()
    runtime.embedder.embed(["warm"])
    runtime.sentence_encoder.embed(["warm"])
    marks["encoders"] = time.perf_counter()
    runtime.answerer.ask(runtime.query(question, date.today()))
    marks["answering"] = time.perf_counter()
    previous, out = started, {}
    for phase in PHASES:
        out[phase] = round(marks[phase] - previous, 3)
        previous = marks[phase]
    print(json.dumps(out))


def phases(home: Path, env: dict[str, str], runs: int) -> dict[str, float]:
    """Median seconds per phase of an `ask` over `runs` fresh interpreters."""
    found: dict[str, list[float]] = {p: [] for p in PHASES}
    for _ in range(runs):
        done = subprocess.run([sys.executable, __file__, "--child", "--data-dir", str(home)], env=env,
                              capture_output=True, text=True, check=True, cwd=REPO)
        for phase, seconds in json.loads(done.stdout.strip().splitlines()[-1]).items():
            found[phase].append(seconds)
    return {p: statistics.median(v) for p, v in found.items()}


def import_breakdown(command: list[str], env: dict[str, str], top: int = 12) -> list[tuple[str, float]]:
    """Seconds of cumulative import time per top-level import of `command` (python -X importtime)."""
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], env=env, cwd=env["PYTHONPATH"],
                          capture_output=True, text=True, check=True)
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit() and not name.startswith("  "):  # a top-level import
            package = name.strip().split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(cumulative) / 1e6
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    return [("(all imports)", round(sum(totals.values()), 3)), *((k, round(v, 3)) for k, v in ranked[:top])]


def print_table(rows: list[Row]) -> None:
    print(f"\n{'':46} {'wall s':>22} {'CPU s':>22} {'peak RSS MB':>20} {'load':>10}")
    for row in rows:
        loads = sorted(s.load for s in row.samples)
        print(f"{row.label:46} {row.cell('wall', 2):>22} {row.cell('cpu', 2):>22} {row.cell('rss_mb', 0):>20} "
              f"{loads[0]:>4.1f}-{loads[-1]:<4.1f}  n={len(row.samples)} {row.note}")


def import_breakdowns(commands: list[tuple[Row, list[str], dict[str, str]]]) -> dict[str, list[tuple[str, float]]]:
    """`python -X importtime` of the default `ask` and of the slowest command, printed and returned."""
    slowest = max(commands, key=lambda item: item[0].median("wall"))
    breakdowns = {}
    for row, command, env in [commands[1], slowest] if slowest is not commands[1] else [slowest]:
        print(f"\nimport time of `{row.label}`, by top-level import, seconds (one run):")
        breakdowns[row.label] = import_breakdown(command, env)
        for name, seconds in breakdowns[row.label]:
            print(f"  {name:28} {seconds:6.3f}")
    return breakdowns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, help="an existing data directory (default: seeds/ in a temp dir)")
    parser.add_argument("--compare", type=Path, help="another checkout whose `ask` to run beside this one")
    parser.add_argument("--skip-slack", action="store_true")
    parser.add_argument("--json", type=Path, help="write every sample here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.data_dir, QUESTION)
        return

    header("cold start")
    with tempfile.TemporaryDirectory() as tmp:
        home = args.data_dir or Path(tmp) / "home"
        rows: list[Row] = []
        if args.data_dir is None:
            first = Row("first ingest of seeds/ (exports the encoder)", note="one run: once per machine and model")
            first.samples.append(measure(newsdesk("ingest", str(REPO / "seeds"), "--data-dir", str(home)),
                                         env_for(REPO)))
            rows.append(first)
        ask = ["ask", QUESTION, "--data-dir", str(home)]
        measured: list[tuple[Row, Callable[[], Sample], list[str], dict[str, str]]] = [
            (Row("newsdesk --help"), lambda: measure(newsdesk("--help"), env_for(REPO)),
             newsdesk("--help"), env_for(REPO)),
            (Row("newsdesk ask (default: onnx)"), lambda: measure(newsdesk(*ask), env_for(REPO)),
             newsdesk(*ask), env_for(REPO)),
            (Row("newsdesk ask, torch backend"),
             lambda: measure(newsdesk(*ask), env_for(REPO, NEWSDESK_EMBED_BACKEND="torch")),
             newsdesk(*ask), env_for(REPO, NEWSDESK_EMBED_BACKEND="torch")),
        ]
        if args.compare:
            other = args.compare.resolve()
            measured.append((Row(f"newsdesk ask, from {other}"),
                             lambda: measure(newsdesk(*ask), env_for(other)),
                             newsdesk(*ask), env_for(other)))
        if not args.skip_slack:
            measured.append((Row("Slack bot: start to first reply"), lambda: slack_first_answer(home, REPO),
                             [], {}))
        for _ in range(args.runs):
            for row, run, _command, _env in measured:
                row.samples.append(run())
        rows += [row for row, *_ in measured]

        print_table(rows)

        print("\nphases of a cold `ask`, medians, seconds:")
        split = {}
        for label, env in (("default", env_for(REPO)), ("torch", env_for(REPO, NEWSDESK_EMBED_BACKEND="torch"))):
            split[label] = phases(home, env, args.runs)
            print(f"  {label:8} " + "  ".join(f"{p} {s:.2f}" for p, s in split[label].items()))

        breakdowns = import_breakdowns([(row, command, env) for row, _, command, env in measured if command])
        if args.json:
            args.json.write_text(json.dumps({
                "rows": [{"label": r.label, "samples": [asdict(s) for s in r.samples]} for r in rows],
                "phases": split, "imports": breakdowns,
            }, indent=2))


if __name__ == "__main__":
    main()
