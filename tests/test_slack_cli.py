"""`newsdesk slack --http` as a real process against a fake Slack on 127.0.0.1 (the done-when check)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot import messages
from bot.slack.server import MAX_BODY_BYTES
from tests.conftest import REPO
from tests.slack_fake import (
    Call,
    FakeSlack,
    event_envelope,
    free_port,
    mention,
    post_signed,
    send_raw,
    signed_headers,
    wait_for,
)

SECRET = "cli-signing-secret"
QUOTE = "Two days later, the protests engulfed Almaty"


def bot_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "NEWSDESK_")) or k == "NEWSDESK_EMBED_EXPORT_DIR"}  # conftest's cache
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


@dataclass
class RunningBot:
    url: str  # where Slack posts events
    log: Path  # the process's stdout and stderr


@contextmanager
def bot_process(tmp_path: Path, seeded_home: Path, fake: FakeSlack) -> Iterator[RunningBot]:
    """`newsdesk slack --http` on a free port, stopped with SIGTERM (and checked to exit 0) afterwards."""
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home)  # the session's seeded directory stays read-only
    port = free_port()
    env = bot_env(SLACK_BOT_TOKEN="xoxb-cli", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.api_url)
    log = tmp_path / "bot.log"
    with log.open("w+") as output:
        proc = subprocess.Popen(
            newsdesk("slack", "--http", "--port", str(port), "--host", "127.0.0.1", "--data-dir", str(home)),
            env=env, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: proc.poll() is not None or port_open(port), timeout=180, what="the bot to listen")
            assert proc.poll() is None, log.read_text()
            yield RunningBot(f"http://127.0.0.1:{port}/slack/events", log)
        finally:
            proc.terminate()
            code = proc.wait(timeout=30)
    assert code == 0, log.read_text()
    assert "listening on http://127.0.0.1:" in log.read_text()


def ask_and_wait(bot: RunningBot, fake: FakeSlack, ts: str, event_id: str) -> Call:
    body = event_envelope(mention("When did protests reach Almaty?", ts), event_id)
    status, _ = post_signed(bot.url, body, SECRET, "application/json")
    assert status == 200
    wait_for(lambda: fake.received("reactions.remove"), timeout=120, what="the bot to finish answering")
    posts = fake.received("chat.postMessage")
    assert len(posts) == 1
    return posts[0]


def test_newsdesk_slack_http_answers_a_signed_mention(tmp_path: Path, seeded_home: Path, fake: FakeSlack) -> None:
    with bot_process(tmp_path, seeded_home, fake) as bot:
        ts = f"{int(time.time())}.000100"
        reply = ask_and_wait(bot, fake, ts, "EvCLI0001")
        assert reply.params["channel"] == "C0NEWS" and reply.params["thread_ts"] == ts
        first = reply.params["blocks"][0]["text"]["text"]
        assert first.startswith("*Answer:*") and "4 January 2022" in first
        assert QUOTE in reply.blocks_json
    log = bot.log.read_text()
    # Bolt's "As you gave `client` as well, `token` will be unused." on every start, with SLACK_BOT_TOKEN set
    assert warning_client_prioritized_and_token_skipped() not in log, log


def test_malformed_requests_get_4xx_and_one_log_line_each(tmp_path: Path, seeded_home: Path, fake: FakeSlack) -> None:
    with bot_process(tmp_path, seeded_home, fake) as bot:
        event = event_envelope(mention("When did protests reach Almaty?", "1.000001"), "EvCLIBAD1")
        status, _ = post_signed(bot.url, event, SECRET, "application/json",
                                headers={"X-Slack-Request-Timestamp": "abc"})
        assert status == 401
        broken = b'{"type": "event_callback", "event": '
        assert send_raw(bot.url, signed_headers(SECRET, broken), broken)[0] == 400
        assert send_raw(bot.url, [("Content-Type", "application/json"), ("Content-Length", str(10**12))])[0] == 413
        assert send_raw(bot.url, [("Content-Type", "application/json")])[0] == 411
        assert fake.received() == []

        ask_and_wait(bot, fake, f"{int(time.time())}.000200", "EvCLI0002")  # the process carried on
    lines = bot.log.read_text().splitlines()
    assert not [line for line in lines if "Traceback" in line], "\n".join(lines)
    for reason in (messages.SLACK_REFUSED_TIMESTAMP, messages.SLACK_REFUSED_UNREADABLE,
                   messages.SLACK_REFUSED_TOO_LARGE.format(limit=MAX_BODY_BYTES // 1_000_000),
                   messages.SLACK_REFUSED_NO_LENGTH):
        assert sum(reason in line for line in lines) == 1, (reason, lines)


def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    result = subprocess.run(newsdesk("slack", "--http", "--data-dir", str(tmp_path)), env=bot_env(), cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr and "Traceback" not in result.stderr


def test_socket_mode_needs_an_app_token(tmp_path: Path) -> None:
    result = subprocess.run(newsdesk("slack", "--data-dir", str(tmp_path)), env=bot_env(SLACK_BOT_TOKEN="xoxb-1"),
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2 and "SLACK_APP_TOKEN" in result.stderr and "--http" in result.stderr
