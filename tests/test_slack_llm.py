"""The Slack bot in LLM mode: "working on it" at once, the model's draft edited in as it streams,
then the verified answer in its place. Real answerer, model and Chroma; a fake Slack and a scripted
OpenAI-compatible server, both on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot import messages
from bot.runtime import Runtime
from bot.settings import LLMSettings, SlackSettings
from bot.slack.app import create_app
from bot.slack.server import EVENTS_PATH, create_http_server
from index.encoders.embedder import SentenceTransformerEmbedder
from tests.conftest import make_settings
from tests.openai_server import FakeOpenAIServer, Reply, passage_with, streamed
from tests.slack_fake import FakeSlack, event_envelope, mention, post_signed, wait_for
from tests.test_llm_answerer import ANSWER, JAN_2, QUESTION, TWO_DAYS
from tests.test_slack_bot import SECRET, next_ts

SLACK_ANSWER = "*Answer:*"


def pieces(body: dict[str, Any]) -> Reply:
    reply = json.dumps({"answer": ANSWER, "citations": [
        {"passage": passage_with(body, "Two days later"), "quote": TWO_DAYS},
        {"passage": passage_with(body, "On January 2"), "quote": JAN_2}]})
    return streamed([reply[i:i + 4] for i in range(0, len(reply), 4)])


@contextmanager
def llm_bot(home: Path, embedder: SentenceTransformerEmbedder, base_url: str, stream: bool) -> Iterator[tuple[FakeSlack, str]]:
    fake = FakeSlack()
    settings = make_settings(home)
    settings.llm = LLMSettings(base_url=base_url, model="scripted", stream=stream, max_retries=0)
    settings.slack = SlackSettings(bot_token=SecretStr("xoxb-test"), signing_secret=SecretStr(SECRET),
                                   api_url=fake.api_url)
    app = create_app(settings, Runtime(settings, embedder=embedder).answerer)
    server = create_http_server(app, "127.0.0.1", 0, signing_secret=SECRET, read_timeout=30.0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_port}{EVENTS_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        fake.close()


@pytest.fixture
def openai() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


def ask(url: str, ts: str) -> None:
    status, _ = post_signed(url, event_envelope(mention(QUESTION, ts), f"Ev{ts}"), SECRET, "application/json")
    assert status == 200


def test_llm_mode_says_working_on_it_shows_the_draft_then_the_verified_answer_in_its_place(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, openai: FakeOpenAIServer,
) -> None:
    openai.script(pieces)
    with llm_bot(seeded_home, embedder, openai.base_url, stream=True) as (fake, url):
        ts = next_ts()
        ask(url, ts)
        final = wait_for(lambda: [c for c in fake.received("chat.update") if SLACK_ANSWER in c.blocks_json],
                         what="the verified answer in place of the draft")[0]
        (post,) = fake.posts()
        updates = fake.received("chat.update")

    assert post.params["text"] == messages.SLACK_WORKING and post.params["thread_ts"] == ts
    assert len({u.params["ts"] for u in updates}) == 1  # every edit is of the one message posted
    assert all(u.params["channel"] == "C0NEWS" for u in updates)
    drafts = [u for u in updates if u is not final]
    assert drafts, "the draft was shown while the model wrote"
    for draft in drafts:  # labelled as unchecked, and only ever a beginning of the model's answer
        assert draft.params["text"].startswith("_Working on it. Draft from the language model")
        assert ANSWER.startswith(draft.params["text"].split("\n", 1)[1])
    assert updates[-1] is final and TWO_DAYS[:40] in final.blocks_json
    assert openai.requests[0].body["stream"] is True


def test_llm_mode_without_streaming_posts_the_answer_once(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, openai: FakeOpenAIServer,
) -> None:
    openai.script(pieces)
    with llm_bot(seeded_home, embedder, openai.base_url, stream=False) as (fake, url):
        ts = next_ts()
        ask(url, ts)
        (post,) = wait_for(lambda: fake.posts(), what="the answer")
        assert SLACK_ANSWER in post.blocks_json
        assert not fake.received("chat.update")
