"""Signed payloads of the wrong shape, through the front door: a 400 and one log line, never a
traceback, an answer or a call to Slack. Only Slack (or whoever holds the signing secret) can send
these, so they are rare, but a listener that trusted their shape failed with a TypeError."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from slack_bolt import BoltRequest

from bot.runtime import Runtime
from bot.slack.blocks import ACTION_UP
from tests.slack_fake import (
    button_click_body,
    event_envelope,
    mention,
    message,
    send_raw,
    signed_headers,
    wait_for,
)
from tests.test_slack_bot import (
    FORM,
    QUESTION,
    SECRET,
    Bot,
    RecordingAnswerer,
    next_ts,
    running_bot,
)


@pytest.fixture
def bot(tmp_path: Path, seeded_runtime: Runtime) -> Iterator[Bot]:
    with running_bot(tmp_path / "bot-home", RecordingAnswerer(seeded_runtime.answerer)) as b:
        yield b


def _envelope(event: Any) -> dict[str, Any]:
    return {**json.loads(event_envelope({}, "EvSHAPE")), "event": event}


def _click(**changes: Any) -> bytes:
    payload = json.loads(dict(parse_qsl(button_click_body(ACTION_UP, "a1", "http://127.0.0.1:9/r")))["payload"])
    return json.dumps({**payload, **changes}).encode()


def _bodies() -> dict[str, tuple[bytes, str]]:
    """Each case: the signed body and its content type."""
    ts = next_ts()
    events: dict[str, Any] = {
        "a mention whose text is a list": {**mention(QUESTION, ts), "text": [QUESTION]},
        "a direct message whose text is an object": {**message(QUESTION, ts, "D0DIRECT", "im"), "text": {"t": 1}},
        "a mention whose user is a number": {**mention(QUESTION, ts), "user": 42},
        "a thread reply whose thread_ts is a list": {**message(QUESTION, ts, "C0NEWS", "channel"), "thread_ts": [ts]},
        "an event that is not an object": "app_mention",
    }
    bodies = {case: (json.dumps(_envelope(event)).encode(), "application/json") for case, event in events.items()}
    bodies["an empty body"] = (b"", "application/json")
    bodies["an empty form"] = (b"", FORM)
    bodies["an empty object"] = (b"{}", "application/json")
    bodies["an event callback without its event"] = (
        json.dumps({k: v for k, v in _envelope({}).items() if k != "event"}).encode(), "application/json")
    bodies["a click whose user is a string"] = (urlencode({"payload": _click(user="UALICE")}).encode(), FORM)
    bodies["a click whose actions are not a list"] = (urlencode({"payload": _click(actions={"a": 1})}).encode(), FORM)
    return bodies


CASES = sorted(_bodies())


@pytest.mark.parametrize("case", CASES)
def test_a_signed_payload_of_the_wrong_shape_gets_400_and_one_log_line(
        bot: Bot, caplog: pytest.LogCaptureFixture, case: str) -> None:
    caplog.set_level(logging.DEBUG)
    body, content_type = _bodies()[case]
    assert send_raw(bot.url, signed_headers(SECRET, body, content_type), body)[0] == 400
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    refusals = [r for r in caplog.records if r.name.startswith("bot.slack") and r.levelno >= logging.WARNING]
    assert len(refusals) == 1 and "400" in refusals[0].getMessage()
    assert bot.answerer.questions == []
    assert [c.method for c in bot.fake.received()] in ([], ["auth.test"])  # Bolt's authorization, nothing else
    # ... and the bot goes on answering
    bot.send_event(mention(QUESTION, ts := next_ts()))
    wait_for(lambda: bot.replies_in_thread("C0NEWS", ts), what="the next question's answer")


def test_socket_mode_payloads_of_the_wrong_shape_are_dropped_without_a_traceback(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    # Socket Mode hands Bolt the envelope's payload directly: no HTTP layer in front of it.
    caplog.set_level(logging.DEBUG)
    payload = _envelope({**mention(QUESTION, next_ts()), "text": [QUESTION]})
    assert bot.app.dispatch(BoltRequest(body=payload, mode="socket_mode")).status == 400
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert bot.answerer.questions == []
