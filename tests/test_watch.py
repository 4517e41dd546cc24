"""`newsdesk watch`: scheduled runs that pick up a changed source, and stopping it between or
within runs without losing anything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.watch import parse_interval
from index.encoders.embedder import SentenceTransformerEmbedder
from index.errors import UserInputError
from ingest.records import url_id
from tests.conftest import REPO, SEED_FILE
from tests.slack_fake import wait_for
from tests.test_ingest_sources import FAST, STORY, rss
from tests.web_fake import FakeWeb, Reply, article_page, fake_web

runner = CliRunner()


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with fake_web() as site:
        yield site


def test_intervals_need_a_unit() -> None:
    assert [parse_interval(t) for t in ("90s", "15m", "2h", "1d", "0.5m", " 15M ")] == [
        90, 900, 7200, 86400, 30, 900]
    for bad in ("15", "m", "-5m", "0s", "15 minutes"):
        with pytest.raises(UserInputError, match="is not an interval"):
            parse_interval(bad)


def test_two_scheduled_runs_pick_up_a_changed_feed(
    tmp_path: Path, web: FakeWeb, embedder: SentenceTransformerEmbedder
) -> None:
    web.serve("/feed.xml",
              Reply(body=rss(web, ("/a", "Tue, 01 Mar 2022 09:00:00 GMT")), content_type="application/rss+xml",
                    etag='"v1"'),
              Reply(body=rss(web, ("/b", "Wed, 02 Mar 2022 09:00:00 GMT"), ("/a", "Tue, 01 Mar 2022 09:00:00 GMT")),
                    content_type="application/rss+xml", etag='"v2"'))  # the second run's feed: a new entry
    web.serve("/a", Reply(body=article_page("Quay reopens", STORY)))
    web.serve("/b", Reply(body=article_page("Ferry returns", STORY.replace("northern", "western"))))
    home = tmp_path / "home"

    done = runner.invoke(app, ["watch", web.url("/feed.xml"), str(SEED_FILE), "--every", "1s", "--runs", "2",
                               "--json", "--data-dir", str(home)], env=FAST, catch_exceptions=False)

    assert done.exit_code == 0, done.output
    runs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["run"], r["report"]["added"], r["report"]["unchanged"], r["error"]) for r in runs] == [
        (1, 2, 0, None),  # the seed file and /a
        (2, 1, 1, None),  # /b; the seed file unchanged, /a not even fetched (its date is the same)
    ]
    assert web.requests_to("/feed.xml")[1].headers.get("if-none-match") == '"v1"'
    assert len(web.requests_to("/a")) == 1
    assert "stopped after 2 run(s)" in done.stderr
    store = Runtime(load_settings(home=home), embedder=embedder).store
    assert set(store.get_articles([url_id(web.url("/a")), url_id(web.url("/b"))])) == {
        url_id(web.url("/a")), url_id(web.url("/b"))}


def start_watch(home: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "watch", *args, "--data-dir", str(home)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(REPO), **FAST},
    )


def test_ctrl_c_between_runs_stops_cleanly(tmp_path: Path) -> None:
    log = tmp_path / "watch.log"
    proc = start_watch(tmp_path / "home", log, str(SEED_FILE), "--every", "1h")
    try:
        wait_for(lambda: "next run at" in log.read_text() or proc.poll() is not None, timeout=300,
                 what="the first run")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, log.read_text()
    finally:
        proc.kill()
    text = log.read_text()
    assert "run 1 at" in text and "added 1" in text and "stopped after 1 run(s)" in text
    assert "Traceback" not in text


def test_stopping_within_a_run_loses_nothing(tmp_path: Path, web: FakeWeb, embedder: SentenceTransformerEmbedder) -> None:
    entries = [(f"/p{i}", None) for i in range(4)]
    web.serve("/feed.xml", Reply(body=rss(web, *entries), content_type="application/rss+xml", etag='"v1"'))
    for i in range(3):
        web.serve(f"/p{i}", Reply(body=article_page(f"Story {i}", STORY.replace("Tuesday", f"day {i}"))))
    web.serve("/p3", Reply(body=article_page("Story 3", STORY), delay=0.5),  # the first run is stopped here
              Reply(body=article_page("Story 3", STORY)))
    home, log = tmp_path / "home", tmp_path / "watch.log"
    proc = start_watch(home, log, web.url("/feed.xml"), "--every", "1h", "--json")
    try:
        wait_for(lambda: web.requests_to("/p3") or proc.poll() is not None, timeout=300, what="the slow page")
        proc.send_signal(signal.SIGTERM)  # systemctl stop
        assert proc.wait(timeout=120) == 143, log.read_text()  # 128 + SIGTERM, as shells report it
    finally:
        proc.kill()
    assert "interrupted during run 1" in log.read_text() and "Traceback" not in log.read_text()
    interrupted = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert [(r["run"], r["interrupted"]) for r in interrupted] == [(1, True)]  # --json: the stopped run's line
    assert interrupted[0]["report"]["failed"] == []  # what it stored before it stopped

    done = runner.invoke(app, ["watch", web.url("/feed.xml"), "--every", "1s", "--runs", "1", "--json",
                               "--data-dir", str(home)], env=FAST, catch_exceptions=False)
    report = json.loads(done.stdout)["report"]
    assert report["failed"] == [] and report["added"] + report["unchanged"] == 4
    assert "if-none-match" not in web.requests_to("/feed.xml")[-1].headers  # nothing remembered from the stopped run
    store = Runtime(load_settings(home=home), embedder=embedder).store
    assert store.counts()[0] == 4
