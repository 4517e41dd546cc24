"""`newsdesk slack --http` as a real process against a fake Slack on 127.0.0.1 (the done-when check)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.slack_fake import FakeSlack, event_envelope, free_port, mention, post_signed, wait_for

SECRET = "cli-signing-secret"
QUOTE = "Two days later, the protests engulfed Almaty"


def bot_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NEWSDESK_"))}
    env.update(PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", **extra)
    return env


def newsdesk(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", *args]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack()
    yield slack
    slack.close()


def test_newsdesk_slack_http_answers_a_signed_mention(tmp_path: Path, seeded_home: Path, fake: FakeSlack) -> None:
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home)  # the session's seeded directory stays read-only
    port = free_port()
    env = bot_env(SLACK_BOT_TOKEN="xoxb-cli", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.api_url)
    log = (tmp_path / "bot.log").open("w+")
    proc = subprocess.Popen(
        newsdesk("slack", "--http", "--port", str(port), "--host", "127.0.0.1", "--data-dir", str(home)),
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: proc.poll() is not None or port_open(port), timeout=180, what="the bot to listen")
        assert proc.poll() is None, (tmp_path / "bot.log").read_text()

        ts = f"{int(time.time())}.000100"
        body = event_envelope(mention("When did protests reach Almaty?", ts), "EvCLI0001")
        status, _ = post_signed(f"http://127.0.0.1:{port}/slack/events", body, SECRET, "application/json")
        assert status == 200

        wait_for(lambda: fake.received("reactions.remove"), timeout=120, what="the bot to finish answering")
        posts = fake.received("chat.postMessage")
        assert len(posts) == 1
        reply = posts[0]
        assert reply.params["channel"] == "C0NEWS" and reply.params["thread_ts"] == ts
        first = reply.params["blocks"][0]["text"]["text"]
        assert first.startswith("*Answer:*") and QUOTE in first
        assert QUOTE in reply.blocks_json
    finally:
        proc.terminate()
        code = proc.wait(timeout=30)
    assert code == 0, (tmp_path / "bot.log").read_text()
    assert "listening on http://127.0.0.1:" in (tmp_path / "bot.log").read_text()


def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    result = subprocess.run(newsdesk("slack", "--http", "--data-dir", str(tmp_path)), env=bot_env(), cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr and "Traceback" not in result.stderr


def test_socket_mode_needs_an_app_token(tmp_path: Path) -> None:
    result = subprocess.run(newsdesk("slack", "--data-dir", str(tmp_path)), env=bot_env(SLACK_BOT_TOKEN="xoxb-1"),
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2 and "SLACK_APP_TOKEN" in result.stderr and "--http" in result.stderr
