"""Nothing lost, nothing leaked (issue 12): `newsdesk ingest` as a user or a cron job runs it.

Real subprocesses, the real model, a real Chroma store in a temp dir. Each of these failed before
its fix.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.conftest import REPO, SEED_FILE


def newsdesk(*args: str, home: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "COLUMNS": "300", **extra_env}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args, "--data-dir", str(home)],
                          capture_output=True, text=True, env=env, timeout=300)


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_prune_of_a_missing_or_emptied_folder_removes_nothing(tmp_path: Path) -> None:
    home, archive = tmp_path / "home", tmp_path / "archive"
    write(archive, "a.txt", " date 2022-03-01 Harbour fire\nA fire broke out at the harbour on Tuesday.\n")
    write(archive, "b.txt", " date 2022-03-02 Rail strike\nTrain drivers walked out on Wednesday.\n")
    assert as_json(newsdesk("ingest", str(archive), "--json", home=home))["added"] == 2

    moved = tmp_path / "unmounted"
    archive.rename(moved)  # the drive is not mounted: the folder is gone
    done = newsdesk("ingest", str(archive), "--prune", home=home)
    assert done.returncode == 2, done.stderr
    assert "no such file or directory" in done.stderr and "Traceback" not in done.stderr

    archive.mkdir()  # an empty mount point
    done = newsdesk("ingest", str(archive), "--prune", home=home)
    assert done.returncode == 1, done.stderr
    assert "not pruned" in done.stderr and "2 of the 2" in done.stderr and "--yes" in done.stderr
    confirmed = as_json(newsdesk("ingest", str(archive), "--prune", "--yes", "--json", home=home))
    assert confirmed["removed"] == 2  # both were still stored until confirmed


def test_export_ids_from_different_files_do_not_replace_each_other(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(tmp_path / "a", "export.jsonl", json.dumps({"id": 1, "title": "Dam opens", "text": "The dam opened."}) + "\n")
    write(tmp_path / "b", "export.jsonl", json.dumps({"id": 1, "title": "Mine closes", "text": "The mine shut."}) + "\n")
    assert as_json(newsdesk("ingest", str(tmp_path / "a"), "--json", home=home))["added"] == 1
    clash = newsdesk("ingest", str(tmp_path / "b"), "--json", home=home)
    report = as_json(clash)
    assert clash.returncode == 1 and report["updated"] == 0
    assert "already used" in report["failed"][0]["error"]
    assert as_json(newsdesk("article", "1", "--json", home=home))["title"] == "Dam opens"
    again = as_json(newsdesk("ingest", str(tmp_path / "a"), "--json", home=home))
    assert (again["unchanged"], again["added"], again["updated"]) == (1, 0, 0)


def test_an_undated_article_is_not_used_before_its_file_existed(tmp_path: Path) -> None:
    home, archive = tmp_path / "home", tmp_path / "archive"
    path = write(archive, "recall.txt", "Carmaker recall\nThe carmaker recalled 2.9 million vehicles this week "
                 "over a fault in the brake software, the company said.\n")
    stamp = datetime(2022, 8, 20, 12).timestamp()
    os.utime(path, (stamp, stamp))
    shutil.copy(SEED_FILE, archive)
    assert as_json(newsdesk("ingest", str(archive), "--json", home=home))["added"] == 2
    question = "Which company recalled 2.9 million vehicles this week?"
    before = as_json(newsdesk("ask", question, "--as-of", "2022-06-23", "--json", home=home))
    assert all(c["title"] != "Carmaker recall" for c in before["citations"])
    after = as_json(newsdesk("ask", question, "--as-of", "2022-08-25", "--json", home=home))
    cited = [c for c in after["citations"] if c["title"] == "Carmaker recall"]
    assert cited and all(c["published"] is None for c in cited)  # never shown as if dated


def test_ctrl_c_during_ingest_says_interrupted_and_keeps_what_was_stored(tmp_path: Path) -> None:
    home, archive = tmp_path / "home", tmp_path / "archive"
    for i in range(150):
        write(archive, f"story-{i:03d}.txt", f" date 2022-04-{i % 28 + 1:02d} Story {i}\n"
              + " ".join(f"Sentence {j} of story {i} reports that the ferry resumed service on day {j}."
                         for j in range(30)) + "\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", str(archive), "--data-dir", str(home)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lock = home / "ingest.lock"
    deadline = time.monotonic() + 240
    while not (lock.exists() and lock.read_text().strip()):  # the lock is held: the ingest is under way
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err and "Traceback" not in err
    resumed = as_json(newsdesk("ingest", str(archive), "--json", home=home))
    assert resumed["added"] + resumed["unchanged"] == 150  # nothing half-stored is lost or doubled
