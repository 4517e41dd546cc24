"""Two `newsdesk ingest` processes on one data directory: they take turns, nothing is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.runtime import Runtime
from bot.settings import load_settings
from index.encoders.embedder import SentenceTransformerEmbedder
from index.lock import write_lock
from tests.conftest import REPO

TOPICS = ["the harbour", "the rail strike", "the flood barrier", "the budget vote", "the wildfire",
          "the museum", "the election count", "the bridge repair", "the heatwave", "the school year"]


def write_articles(folder: Path, batch: str, count: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        path = folder / f"{batch}-{i:02d}.txt"
        path.write_text(
            f" date 2022-03-{i + 1:02d} {batch.title()} report {i}: {topic}\n"
            f"Officials in district {batch}-{i} said on Monday that {topic} would reopen next week. "
            f"The decision followed {i + 3} days of talks between the city and residents of {batch}. "
            f"A spokesperson for {batch} district number {i} confirmed the schedule.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def start_ingest(folder: Path, home: Path, log: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ingest", str(folder), "--json", "--data-dir", str(home), *extra],
        stdout=subprocess.PIPE, stderr=log.open("w"), text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "300"},
    )


def wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the ingest processes"
        time.sleep(0.1)


def test_two_ingest_processes_take_turns_and_lose_nothing(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    home = tmp_path / "home"
    write_articles(tmp_path / "a", "alpha", 12)
    write_articles(tmp_path / "b", "beta", 12)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]

    # Hold the lock until both processes have reached it, so that they really run at once.
    with write_lock(home):
        procs = [start_ingest(tmp_path / name, home, log) for name, log in zip("ab", logs)]
        wait_for(lambda: all("Waiting:" in log.read_text() for log in logs), 120)
    outputs = [proc.communicate(timeout=600) for proc in procs]

    for proc, (stdout, _), log in zip(procs, outputs, logs):
        assert proc.returncode == 0, log.read_text()
        assert f"newsdesk process {os.getpid()}" in log.read_text()
        report = json.loads(stdout)
        assert (report["added"], report["failed"]) == (12, [])

    store = Runtime(load_settings(home=home), embedder=embedder).store
    n_articles, n_chunks = store.counts()
    assert (n_articles, n_chunks) == (24, 24)
    titles = {a.title for a in store.get_articles(store.article_states()).values()}
    assert titles == {f"{b.title()} report {i}: {TOPICS[i % 10]}" for b in ("alpha", "beta") for i in range(12)}
    hits = store.query(embedder.embed(["beta district 7 flood barrier"])[0], k=24)
    assert len(hits) == 24


def test_busy_data_directory_fails_clearly_after_the_timeout(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_articles(tmp_path / "a", "alpha", 1)
    log = tmp_path / "a.log"
    with write_lock(home):
        proc = start_ingest(tmp_path / "a", home, log, "--lock-timeout", "0.5")
        proc.communicate(timeout=120)
    assert proc.returncode == 2
    stderr = " ".join(log.read_text().split())
    assert "Traceback" not in stderr
    assert f"error: {home} is busy: newsdesk process {os.getpid()} on" in stderr
    assert not (home / "chroma").exists()  # it gave up before opening the store
