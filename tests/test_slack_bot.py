"""The Slack bot through the front door: signed requests over real HTTP to the app in HTTP mode,
the real answerer, model and Chroma store, and a fake Slack Web API on 127.0.0.1 that records calls.

Replies arrive after the ack, so tests wait for them (polling with a deadline). Where a test must
know that the bot chose to stay silent, it waits for the log line that says so.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from pydantic import SecretStr
from slack_bolt import App, BoltRequest

from bot import messages
from bot.answer import Answer, Answerer, Citation
from bot.query import Query
from bot.runtime import Runtime
from bot.settings import SlackSettings
from bot.slack.app import create_app
from bot.slack.blocks import ACTION_DOWN, ACTION_SOURCES, ACTION_UP
from bot.slack.db import FILE_NAME, Database
from bot.slack.feedback import FeedbackStore
from bot.slack.server import EVENTS_PATH, MAX_BODY_BYTES, create_http_server
from tests.conftest import ingest_into, make_settings
from tests.slack_fake import (
    BOT_USER,
    FakeSlack,
    button_click_body,
    event_envelope,
    mention,
    message,
    post_signed,
    send_raw,
    signed_headers,
    slash_command_body,
    wait_for,
)

SECRET = "test-signing-secret"
QUESTION = "When did protests reach Almaty?"
QUOTE = "Two days later, the protests engulfed Almaty"
AKTAU_QUOTE = "On January 2, crowds took to the streets in the cities of Zhanaozen and Aktau"
FORM = "application/x-www-form-urlencoded"


class RecordingAnswerer:
    """The real answerer, recording every question it is asked."""

    def __init__(self, inner: Answerer) -> None:
        self.inner = inner
        self.questions: list[str] = []

    def ask(self, query: Query) -> Answer:
        self.questions.append(query.text)
        return self.inner.ask(query)


class FailingAnswerer:
    """Raises for the first `failures` questions, then answers with the real one; records calls."""

    def __init__(self, inner: Answerer, failures: int) -> None:
        self.inner = inner
        self.failures = failures
        self.questions: list[str] = []

    def ask(self, query: Query) -> Answer:
        self.questions.append(query.text)
        if len(self.questions) <= self.failures:
            raise RuntimeError("index exploded at /srv/secret/path")
        return self.inner.ask(query)


_ids = itertools.count(1)


def next_ts() -> str:
    return f"{int(time.time())}.{next(_ids):06d}"


@dataclass
class Bot:
    app: App
    fake: FakeSlack
    url: str
    home: Path
    answerer: Any
    sent: list[str] = field(default_factory=list)

    def send_event(self, event: dict[str, Any], event_id: str | None = None, retry: int | None = None,
                   **signing: Any) -> int:
        body = event_envelope(event, event_id or f"Ev{next(_ids):08d}")
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        status, _ = post_signed(self.url, body, SECRET, "application/json", headers=headers, **signing)
        return status

    def command(self, text: str, response: str, **where: Any) -> tuple[int, str]:
        return post_signed(self.url, slash_command_body(text, self.fake.response_url(response), **where),
                           SECRET, FORM)

    def click(self, action_id: str, value: str, response: str, **where: Any) -> int:
        status, _ = post_signed(self.url, button_click_body(action_id, value, self.fake.response_url(response),
                                                            **where), SECRET, FORM)
        return status

    def replies_in_thread(self, channel: str, thread_ts: str) -> list[Any]:
        return [c for c in self.fake.posts(channel) if c.params.get("thread_ts") == thread_ts]


@contextmanager
def running_bot(home: Path, answerer: Any, read_timeout: float = 30.0, **slack: Any) -> Iterator[Bot]:
    fake = FakeSlack()
    settings = make_settings(home)
    settings.slack = SlackSettings(bot_token=SecretStr("xoxb-test"), signing_secret=SecretStr(SECRET), api_url=fake.api_url, **slack)
    app = create_app(settings, answerer)
    server = create_http_server(app, "127.0.0.1", 0, signing_secret=SECRET, read_timeout=read_timeout)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Bot(app, fake, f"http://127.0.0.1:{server.server_port}{EVENTS_PATH}", home, answerer)
    finally:
        server.shutdown()
        server.server_close()
        fake.close()


@pytest.fixture
def bot(tmp_path: Path, seeded_runtime: Runtime) -> Iterator[Bot]:
    with running_bot(tmp_path / "bot-home", RecordingAnswerer(seeded_runtime.answerer)) as b:
        yield b


@pytest.fixture
def desk_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="bot.slack")
    return caplog


def logged(caplog: pytest.LogCaptureFixture, fragment: str) -> int:
    return sum(fragment in r.getMessage() for r in caplog.records)


def section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    texts = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts.extend(e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn")
    return texts


def answer_id_of(blocks: list[dict[str, Any]]) -> str:
    actions = next(b for b in blocks if b["type"] == "actions")
    return str(actions["elements"][0]["value"])


def test_creating_the_app_with_a_token_in_the_environment_warns_about_nothing(
    tmp_path: Path, seeded_runtime: Runtime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Bolt reads SLACK_BOT_TOKEN itself although create_app hands it a client built from that token.
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    settings = make_settings(tmp_path / "home")
    settings.slack = SlackSettings(bot_token=SecretStr("xoxb-from-the-environment"), signing_secret=SecretStr(SECRET))
    caplog.set_level(logging.DEBUG)
    app = create_app(settings, seeded_runtime.answerer)
    app.logger.warning("another warning")  # other warnings on the same logger still get through
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == ["another warning"]


# -- where it answers -------------------------------------------------------------------------------


def test_mention_gets_one_threaded_reply_with_verified_citations(bot: Bot, seeded_runtime: Runtime) -> None:
    ts = next_ts()
    assert bot.send_event(mention(QUESTION, ts)) == 200

    reply = wait_for(lambda: bot.replies_in_thread("C0NEWS", ts), what="the threaded reply")[0]
    assert reply.params["unfurl_links"] is False
    blocks = reply.params["blocks"]
    assert blocks[0]["text"]["text"].startswith("*Answer:*")
    assert QUOTE in reply.blocks_json
    # the quote shown is the stored article text at the cited offsets
    answer_id = answer_id_of(blocks)
    stored = FeedbackStore(Database(bot.home / FILE_NAME)).answer(answer_id)
    assert stored is not None and stored.citations
    for citation in stored.citations:
        article = seeded_runtime.store.get_article(citation.article_id)
        assert article is not None and article.text[citation.start:citation.end] == citation.quote
    assert bot.answerer.questions == [QUESTION]
    wait_for(lambda: bot.fake.received("reactions.remove"), what="the searching indicator to go")
    assert [c.params["name"] for c in bot.fake.received("reactions.add")] == ["mag"]
    assert len(bot.fake.posts()) == 1


def test_direct_message_is_answered_in_the_conversation(bot: Bot) -> None:
    assert bot.send_event(message(QUESTION, next_ts(), "D0DIRECT", "im")) == 200
    reply = wait_for(lambda: bot.fake.posts("D0DIRECT"), what="the DM reply")[0]
    assert reply.params.get("thread_ts") is None
    assert QUOTE in reply.blocks_json


def test_slash_command_answers_privately_unless_in_channel(bot: Bot) -> None:
    status, body = bot.command(QUESTION, "private")
    assert status == 200 and "Searching the archive" in body  # the immediate ack
    private = wait_for(lambda: bot.fake.received("response:private"), what="the command's answer")[0]
    assert private.params["response_type"] == "ephemeral"
    assert QUOTE in private.blocks_json

    bot.command(f"in_channel {QUESTION}", "public")
    public = wait_for(lambda: bot.fake.received("response:public"), what="the public answer")[0]
    assert public.params["response_type"] == "in_channel"
    assert bot.answerer.questions == [QUESTION, QUESTION]
    assert bot.fake.posts() == []


def test_slack_formatting_never_reaches_the_answerer(bot: Bot) -> None:
    ts = next_ts()
    bot.send_event(mention(f"<!channel> *bold* _it_ {QUESTION}", ts))
    wait_for(lambda: bot.replies_in_thread("C0NEWS", ts), what="the reply")
    status, _ = bot.command(f"in_channel ~{QUESTION}~ &amp; `<https://example.org|links>`", "formatted")
    assert status == 200
    wait_for(lambda: bot.fake.received("response:formatted"), what="the command's answer")
    assert bot.answerer.questions == [f"bold it {QUESTION}", f"{QUESTION} & links"]


def test_bare_mention_gets_usage(bot: Bot) -> None:
    ts = next_ts()
    bot.send_event(mention("", ts))
    reply = wait_for(lambda: bot.replies_in_thread("C0NEWS", ts), what="the usage hint")[0]
    assert "Ask me about the news archive" in reply.params["text"]
    assert bot.answerer.questions == []


def test_empty_slash_command_gets_usage(bot: Bot) -> None:
    status, body = bot.command("   ", "empty")
    assert status == 200 and "/news When did protests reach Almaty?" in body
    assert bot.answerer.questions == []


def test_thread_follow_up_uses_the_earlier_question(bot: Bot, desk_log: pytest.LogCaptureFixture) -> None:
    root = next_ts()
    bot.send_event(mention(QUESTION, root))
    wait_for(lambda: bot.replies_in_thread("C0NEWS", root), what="the first answer")

    bot.send_event(message("what about Aktau?", next_ts(), "C0NEWS", "channel", thread_ts=root))
    wait_for(lambda: len(bot.replies_in_thread("C0NEWS", root)) == 2, what="the follow-up answer")
    replies = bot.replies_in_thread("C0NEWS", root)
    assert bot.answerer.questions == [QUESTION, "When did protests reach Aktau?"]
    assert AKTAU_QUOTE in replies[1].blocks_json

    chatter = next_ts()
    bot.send_event(message("thanks, that helps", chatter, "C0NEWS", "channel", thread_ts=root))
    elsewhere = next_ts()
    bot.send_event(message("what about Aktau?", elsewhere, "C0NEWS", "channel", thread_ts="999.000001"))
    wait_for(lambda: logged(desk_log, f"silent on {chatter}") and logged(desk_log, f"silent on {elsewhere}"),
             what="the bot to pass over chatter and unknown threads")
    assert len(bot.fake.posts()) == 2


# -- once, and only for Slack ----------------------------------------------------------------------


def test_retried_event_is_answered_once(bot: Bot, desk_log: pytest.LogCaptureFixture) -> None:
    ts = next_ts()
    event = mention(QUESTION, ts)
    statuses = [bot.send_event(event, event_id="EvRETRIED", retry=retry) for retry in (None, 1, 2)]
    assert statuses == [200, 200, 200]
    wait_for(lambda: bot.replies_in_thread("C0NEWS", ts) and logged(desk_log, "skipping a redelivery") == 2,
             what="one answer and two skipped redeliveries")
    assert len(bot.fake.posts()) == 1
    assert bot.answerer.questions == [QUESTION]


def test_socket_mode_redeliveries_are_answered_once(bot: Bot, desk_log: pytest.LogCaptureFixture) -> None:
    # What SocketModeHandler dispatches: the envelope's payload, unsigned, retries flagged in headers.
    ts = next_ts()
    payload = json.loads(event_envelope(mention(QUESTION, ts), "EvSOCKET"))
    for attempt in (None, 1, 2):
        headers: dict[str, str | Sequence[str]] | None = (
            {"x-slack-retry-num": str(attempt), "x-slack-retry-reason": "timeout"} if attempt else None)
        assert bot.app.dispatch(BoltRequest(body=payload, mode="socket_mode", headers=headers)).status == 200
    wait_for(lambda: bot.replies_in_thread("C0NEWS", ts) and logged(desk_log, "skipping a redelivery") == 2,
             what="one answer and two skipped redeliveries")
    assert len(bot.fake.posts()) == 1 and bot.answerer.questions == [QUESTION]


def test_mention_in_a_thread_arrives_twice_but_is_answered_once(bot: Bot, desk_log: pytest.LogCaptureFixture) -> None:
    root = next_ts()
    bot.send_event(mention(QUESTION, root))
    wait_for(lambda: bot.replies_in_thread("C0NEWS", root), what="the first answer")
    ts = next_ts()
    # Slack sends both an app_mention and a message event (different event ids) for this one message.
    bot.send_event(mention("what about Aktau?", ts, thread_ts=root))
    bot.send_event(message(f"<@{BOT_USER}> what about Aktau?", ts, "C0NEWS", "channel", thread_ts=root))
    wait_for(lambda: len(bot.replies_in_thread("C0NEWS", root)) == 2, what="the follow-up answer")
    assert bot.answerer.questions == [QUESTION, "When did protests reach Aktau?"]


def test_bad_signature_is_refused_and_nothing_is_posted(bot: Bot) -> None:
    assert bot.send_event(mention(QUESTION, next_ts()), bad_signature=True) == 401
    assert bot.fake.received() == [] and bot.answerer.questions == []


def test_old_timestamp_is_refused(bot: Bot) -> None:
    # correctly signed, but six minutes old: a replayed request
    assert bot.send_event(mention(QUESTION, next_ts()), timestamp=int(time.time()) - 360) == 401
    assert bot.fake.received() == [] and bot.answerer.questions == []


def _form(fields: dict[str, str]) -> bytes:
    return urlencode(fields).encode()


@pytest.mark.parametrize(("case", "status"), [
    ("timestamp not a number", 401),
    ("two timestamps", 401),
    ("no signature", 401),
    ("signed: JSON that does not parse", 400),
    ("signed: JSON that is not an object", 400),
    ("signed: form payload that is not JSON", 400),
    ("signed: not UTF-8", 400),
    ("unsigned: not UTF-8", 401),
    ("Content-Length not a number", 400),
    ("Content-Length negative", 400),
    ("Content-Length too large", 413),
    ("no Content-Length", 411),
    ("body shorter than its Content-Length", 400),
])
def test_malformed_requests_get_4xx_and_one_log_line(bot: Bot, caplog: pytest.LogCaptureFixture,
                                                      case: str, status: int) -> None:
    caplog.set_level(logging.DEBUG)
    event = event_envelope(mention(QUESTION, next_ts()), "EvBAD").encode()
    signed = signed_headers(SECRET, event)
    requests: dict[str, tuple[list[tuple[str, str]], bytes]] = {
        "timestamp not a number": (
            [h for h in signed if h[0] != "X-Slack-Request-Timestamp"] + [("X-Slack-Request-Timestamp", "abc")], event),
        "two timestamps": (signed + [("X-Slack-Request-Timestamp", signed[2][1])], event),
        "no signature": (signed[:3], event),
        "signed: JSON that does not parse": (signed_headers(SECRET, b"{'event': 1}"), b"{'event': 1}"),
        "signed: JSON that is not an object": (signed_headers(SECRET, b"[1, 2]"), b"[1, 2]"),
        "signed: form payload that is not JSON": (
            signed_headers(SECRET, _form({"payload": "{oops"}), FORM), _form({"payload": "{oops"})),
        "signed: not UTF-8": (signed_headers(SECRET, b'{"a": "\xff"}'), b'{"a": "\xff"}'),
        "unsigned: not UTF-8": (signed_headers("wrong-secret", b'{"a": "\xff"}'), b'{"a": "\xff"}'),
        "Content-Length not a number": ([("Content-Type", "application/json"), ("Content-Length", "ten")], b""),
        "Content-Length negative": ([("Content-Type", "application/json"), ("Content-Length", "-5")], b""),
        "Content-Length too large": ([("Content-Type", "application/json"), ("Content-Length", str(10**12))], b""),
        "no Content-Length": ([("Content-Type", "application/json")], b""),
        "body shorter than its Content-Length": (
            [h if h[0] != "Content-Length" else ("Content-Length", str(len(event) + 100)) for h in signed], event),
    }
    headers, body = requests[case]
    assert send_raw(bot.url, headers, body)[0] == status
    refusals = [r for r in caplog.records if r.name == "bot.slack.server" and r.levelno >= logging.WARNING]
    assert len(refusals) == 1 and str(status) in refusals[0].getMessage() and refusals[0].exc_info is None
    assert bot.fake.received() == [] and bot.answerer.questions == []


def test_slack_ssl_check_is_answered_as_bolt_answers_it(bot: Bot) -> None:
    # Bolt answers these before it verifies signatures; the layer in front of it lets them through.
    body = _form({"ssl_check": "1", "token": "legacy"})
    assert send_raw(bot.url, [("Content-Type", FORM), ("Content-Length", str(len(body)))], body)[0] == 200
    assert bot.fake.received() == [] and bot.answerer.questions == []


def test_a_body_at_the_size_limit_is_read(bot: Bot) -> None:
    # Slack's payloads are far smaller; a signed body just under the limit still reaches Bolt.
    event = json.loads(event_envelope(mention(QUESTION, next_ts()), "EvBIG"))
    event["padding"] = ""
    size = len(json.dumps(event).encode())
    event["padding"] = "x" * (MAX_BODY_BYTES - size)
    body = json.dumps(event).encode()
    assert len(body) == MAX_BODY_BYTES
    assert send_raw(bot.url, signed_headers(SECRET, body), body)[0] == 200
    wait_for(lambda: bot.fake.posts("C0NEWS"), what="the answer")


def test_a_client_that_stops_sending_is_cut_off(tmp_path: Path, seeded_runtime: Runtime,
                                                caplog: pytest.LogCaptureFixture,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.slack")
    with running_bot(tmp_path / "home", seeded_runtime.answerer, read_timeout=0.5) as bot:
        address = (urlsplit(bot.url).hostname, urlsplit(bot.url).port)
        with socket.create_connection(address, timeout=30) as idle, \
                socket.create_connection(address, timeout=30) as stalled:
            idle.sendall(b"POST /slack/ev")  # ... and nothing more
            stalled.sendall(f"POST {EVENTS_PATH} HTTP/1.1\r\nContent-Length: 100\r\n\r\n{{}}".encode())
            response = b""
            while chunk := stalled.recv(65536):
                response += chunk
            assert response.startswith(b"HTTP/1.0 408 ")
            assert idle.recv(65536) == b""  # closed by the server
        wait_for(lambda: logged(caplog, "dropped the connection"), what="the idle connection to be dropped")
    assert logged(caplog, messages.SLACK_REFUSED_SLOW_BODY) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert bot.fake.received() == []


def test_own_and_other_bots_messages_are_ignored(bot: Bot, desk_log: pytest.LogCaptureFixture) -> None:
    own = message(QUESTION, next_ts(), "D0DIRECT", "im", user=BOT_USER)
    other = {**message(QUESTION, next_ts(), "D0DIRECT", "im", user="UOTHERBOT"), "bot_id": "BOTHER"}
    assert bot.send_event(own) == 200 and bot.send_event(other) == 200
    # a real question afterwards is answered; the two before it never reached the answerer
    bot.send_event(message(QUESTION, next_ts(), "D0DIRECT", "im"))
    wait_for(lambda: bot.fake.posts("D0DIRECT"), what="the real question's answer")
    assert bot.answerer.questions == [QUESTION]


# -- faults ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "retry_after"), [(429, 1), (500, None)])
def test_slack_errors_are_retried_then_posted_once(bot: Bot, status: int, retry_after: int | None) -> None:
    bot.fake.fail("chat.postMessage", status, retry_after=retry_after)
    ts = next_ts()
    bot.send_event(mention(QUESTION, ts))
    wait_for(lambda: bot.replies_in_thread("C0NEWS", ts), what="the reply after a retry")
    attempts = bot.fake.received("chat.postMessage", ok_only=False)
    assert [c.status for c in attempts] == [status, 200]
    assert attempts[0].params == attempts[1].params


def test_answerer_exception_gives_one_friendly_message_and_the_bot_goes_on(
    tmp_path: Path, seeded_runtime: Runtime, caplog: pytest.LogCaptureFixture,
) -> None:
    answerer = FailingAnswerer(seeded_runtime.answerer, failures=1)
    with running_bot(tmp_path / "home", answerer) as bot:
        ts = next_ts()
        bot.send_event(mention(QUESTION, ts))
        reply = wait_for(lambda: bot.replies_in_thread("C0NEWS", ts), what="the apology")[0]
        assert "something went wrong" in reply.params["text"]
        assert "exploded" not in json.dumps(reply.params) and "Traceback" not in json.dumps(reply.params)
        failure = next(r for r in caplog.records if "answering" in r.getMessage())
        assert failure.exc_info is not None and "exploded" in str(failure.exc_info[1])

        again = next_ts()
        bot.send_event(mention(QUESTION, again))
        second = wait_for(lambda: bot.replies_in_thread("C0NEWS", again), what="the next answer")[0]
        assert QUOTE in second.blocks_json
        assert answerer.questions == [QUESTION, QUESTION]
        assert len(bot.fake.posts()) == 2


# -- safety and access -----------------------------------------------------------------------------

INJECTION = """---
title: Curfew <!here> notice for <@U123>
url: https://example.org/curfew?city=aktobe&day=2
date: 2022-01-07
---
The curfew in Aktobe was lifted on Friday morning.
Residents were told to read <!channel> <!here> <@U123> <https://evil.example/login|click> before the curfew ended.
"""


def test_article_text_cannot_ping_or_hide_links(tmp_path: Path, runtime: Runtime) -> None:
    article = tmp_path / "articles" / "curfew.md"
    article.parent.mkdir()
    article.write_text(INJECTION, encoding="utf-8")
    assert not ingest_into(runtime, article.parent).failed
    with running_bot(tmp_path / "bot-home", runtime.answerer) as bot:
        ts = next_ts()
        bot.send_event(mention("What were residents told to read before the curfew ended?", ts))
        reply = wait_for(lambda: bot.replies_in_thread("C0NEWS", ts), what="the reply")[0]
    texts = section_texts(reply.params["blocks"]) + [reply.params["text"]]
    shown = "\n".join(texts)
    assert "&lt;!channel&gt;" in shown and "&lt;!here&gt;" in shown and "&lt;@U123&gt;" in shown
    assert "&lt;https://evil.example/login|click&gt;" in shown
    # The only Slack markup left is the link built from the citation's own URL (once per point shown).
    assert set(re.findall(r"<[^>]*>", shown)) == {"<https://example.org/curfew?city=aktobe&amp;day=2|Curfew &lt;!here&gt; notice for &lt;@U123&gt;>"}
    for block in reply.params["blocks"]:
        for text in [block.get("text", {})] + block.get("elements", []):
            if text.get("type") == "mrkdwn":
                assert text["verbatim"] is True  # no auto-linking of names or bare URLs


def test_allowlists(tmp_path: Path, seeded_runtime: Runtime, desk_log: pytest.LogCaptureFixture) -> None:
    answerer = RecordingAnswerer(seeded_runtime.answerer)
    with running_bot(tmp_path / "home", answerer,
                     allowed_channels="C0NEWS", allowed_users="UALICE,UBOB") as bot:
        outside_channel, outside_user = next_ts(), next_ts()
        bot.send_event(mention(QUESTION, outside_channel, channel="C0RANDOM"))
        bot.send_event(mention(QUESTION, outside_user, user="UMALLORY"))
        wait_for(lambda: logged(desk_log, f"silent on {outside_channel}") and logged(desk_log, f"silent on {outside_user}"),
                 what="the bot to stay silent")
        status, body = bot.command(QUESTION, "refused", user="UMALLORY")
        assert status == 200 and "does not answer here" in body
        dm = next_ts()
        bot.send_event(message(QUESTION, dm, "D0BOB", "im", user="UBOB"))  # DMs: only the user list applies
        wait_for(lambda: bot.fake.posts("D0BOB"), what="the allowed DM's answer")
        assert answerer.questions == [QUESTION]
        assert bot.fake.received("response:refused") == []
        assert len(bot.fake.posts()) == 1


# -- feedback ----------------------------------------------------------------------------------------


def test_feedback_click_is_stored(bot: Bot) -> None:
    ts = next_ts()
    bot.send_event(mention(QUESTION, ts))
    reply = wait_for(lambda: bot.replies_in_thread("C0NEWS", ts), what="the answer")[0]
    answer_id = answer_id_of(reply.params["blocks"])

    assert bot.click(ACTION_UP, answer_id, "up") == 200
    thanks = wait_for(lambda: bot.fake.received("response:up"), what="the thanks")[0]
    assert thanks.params["response_type"] == "ephemeral" and "feedback" in thanks.params["text"]
    bot.click(ACTION_DOWN, answer_id, "down", user="UBOB")
    wait_for(lambda: bot.fake.received("response:down"), what="the second thanks")

    clicks = FeedbackStore(Database(bot.home / FILE_NAME)).clicks()
    assert [(c.user, c.verdict) for c in clicks] == [("UALICE", "up"), ("UBOB", "down")]
    first = clicks[0]
    assert first.question == QUESTION and first.answer == "4 January 2022"
    assert any(QUOTE in c["quote"] for c in first.citations)
    assert first.clicked_at.tzinfo is not None


def test_click_on_an_unknown_answer_says_so(bot: Bot) -> None:
    bot.click(ACTION_UP, "no-such-answer", "unknown")
    reply = wait_for(lambda: bot.fake.received("response:unknown"), what="the reply")[0]
    assert "no longer have that answer" in reply.params["text"]
    assert FeedbackStore(Database(bot.home / FILE_NAME)).clicks() == []


def test_show_full_sources_sends_every_quote_whole(bot: Bot) -> None:
    long_quote = "Crowds gathered in the square and chanted. " * 60  # 2,580 characters
    answer = Answer("What happened?", "Crowds gathered", [
        Citation("art1", "Protests", date(2022, 1, 5), "https://example.org/p", "example.org", None,
                 long_quote, 0, len(long_quote)),
    ])
    answer_id = FeedbackStore(Database(bot.home / FILE_NAME)).record_answer(answer, "what happened?", "C0NEWS", "UALICE")
    assert bot.click(ACTION_SOURCES, answer_id, "sources") == 200
    sent = wait_for(lambda: bot.fake.received("response:sources"), what="the full sources")
    quoted = [b["text"]["text"] for r in sent for b in r.params["blocks"] if b["type"] == "section"][1:]
    assert "".join(q.removeprefix("> ") for q in quoted) == long_quote
    assert all(r.params["response_type"] == "ephemeral" for r in sent)
