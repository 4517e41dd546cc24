"""Telling the user what is happening (issue 21, item 14): `newsdesk ingest --json` (or with no
terminal) says how far it got on stderr as it goes, and Ctrl-C or SIGTERM still gets the JSON of
what was stored.

Real subprocesses, the real model, a real Chroma store in a temp dir. Each failed before its fix.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.cli.progress import ProgressLines
from ingest.progress import IngestProgress
from tests.conftest import REPO
from tests.test_archive_safety import as_json, newsdesk, write

EVERY_STEP = {"NEWSDESK_INGEST_PROGRESS_SECONDS": "0"}  # a progress line at every step
_ENCODED = re.compile(r"encoded ([\d,]+) of ([\d,]+) passages")


def corpus(folder: Path, articles: int, sentences: int) -> None:
    for i in range(articles):
        write(folder, f"story-{i:03d}.txt", f" date 2022-04-{i % 28 + 1:02d} Story {i}\n"
              + " ".join(f"Sentence {j} of story {i} reports that the ferry resumed service on day {j}."
                         for j in range(sentences)) + "\n")


def test_ingest_json_says_how_far_it_got_on_stderr(tmp_path: Path) -> None:
    home, archive = tmp_path / "home", tmp_path / "archive"
    corpus(archive, 12, 20)
    done = newsdesk("ingest", str(archive), "--json", home=home, **EVERY_STEP)

    assert done.returncode == 0, done.stderr
    report = as_json(done)  # stdout is the report and nothing else
    assert (report["added"], report["interrupted"]) == (12, False)
    lines = [line for line in done.stderr.splitlines() if line.startswith("ingest, ")]
    assert len(lines) > 12  # a line at every step, not only at the end
    assert any("chunked" in line and "marked up" not in line for line in lines)  # before any mark-up
    assert any("marked up" in line and "encoded 0 of" in line for line in lines)  # before any encoding
    last = lines[-1]
    passages = f"{report['chunks_added']:,}"
    assert "read 12 article(s)" in last and f"encoded {passages} of {passages} passages" in last


def test_progress_lines_go_on_while_nothing_moves(capsys: pytest.CaptureFixture[str]) -> None:
    """Loading the model, exporting it once, fingerprinting a 5 MB article: no count moves for a
    while, and the log still shows the run is alive."""
    lines = ProgressLines(every=0.01)
    said = ""
    try:
        lines.update(IngestProgress(articles_read=1, chars_to_chunk=5_000_000, chars_chunked=5_000_000))
        deadline = time.monotonic() + 60
        while said.count("\n") < 3:  # three lines, all after the last update
            assert time.monotonic() < deadline
            time.sleep(0.01)
            captured = capsys.readouterr()
            assert captured.out == ""  # never on stdout
            said += captured.err
    finally:
        lines.stop()
    assert said.splitlines()[-1].endswith("read 1 article(s); chunked 5,000,000 of 5,000,000 characters")


@pytest.mark.parametrize("workers", ["1", "2"])  # one process; worker processes (ingest/workers.py)
def test_sigterm_during_ingest_json_prints_what_was_stored(tmp_path: Path, workers: str) -> None:
    home, archive = tmp_path / "home", tmp_path / "archive"
    corpus(archive, 120, 30)
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **EVERY_STEP}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", str(archive), "--json",
                             "--data-dir", str(home), "--workers", workers],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None and proc.stdout is not None
    lines: list[str] = []
    encoded = threading.Event()

    def follow() -> None:  # stderr, line by line, while the ingest runs
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            found = _ENCODED.search(line)
            if found and int(found.group(1).replace(",", "")) >= 128:  # two batches handed to the writer
                encoded.set()

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    deadline = time.monotonic() + 300
    while not encoded.wait(0.2):
        assert proc.poll() is None and time.monotonic() < deadline, "".join(lines[-20:])
    proc.send_signal(signal.SIGTERM)  # `kill`, `systemctl stop`, `docker stop`
    try:  # the report is small: the process never waits on a full pipe before it exits
        assert proc.wait(timeout=120) == 143, "".join(lines[-20:])
    finally:
        proc.kill()  # a hang fails the test instead of the whole run
    out = proc.stdout.read()
    reader.join(timeout=60)
    said = "".join(lines)
    assert "interrupted" in said and "Traceback" not in said

    report = json.loads(out)  # stdout is still the JSON report: what was stored
    assert report["interrupted"] is True and 0 < report["added"] < 120
    stored = as_json(newsdesk("articles", "--limit", "0", "--json", home=home))
    assert len(stored) == report["added"]  # every article it reports is stored, and complete
