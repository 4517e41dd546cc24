"""The bot's small parts on their own: payload parsing, follow-ups, deduplication, access, feedback."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.answer import Answer, Citation
from bot.cli.main import app as cli
from bot.followup import Turn, looks_like_question, resolve
from bot.slack.access import Access
from bot.slack.db import FILE_NAME, Database
from bot.slack.dedupe import Deduper
from bot.slack.events import from_command, from_mention, from_message
from bot.slack.feedback import FeedbackStore
from bot.slack.handlers import COMMAND
from bot.slack.mrkdwn import plain_text

ALMATY = Turn("When did protests reach Almaty?", "Two days later, the protests engulfed Almaty")


# -- follow-ups ----------------------------------------------------------------------------------


def test_elliptical_follow_up_swaps_the_subject() -> None:
    assert resolve("what about Aktau?", ALMATY) == "When did protests reach Aktau?"
    assert resolve("And in Nur-Sultan?", ALMATY) == "When did protests reach Nur-Sultan?"
    assert resolve("how about Atyrau", Turn("When did protests start?", None)) == "When did protests start? (Atyrau)"


def test_pronoun_follow_up_carries_the_names_along() -> None:
    assert resolve("Why did they protest there?", ALMATY) == "Why did they protest there? (Almaty)"


def test_self_contained_questions_are_left_alone() -> None:
    assert resolve("Who sent troops to Kazakhstan?", ALMATY) == "Who sent troops to Kazakhstan?"
    assert resolve("what about   Aktau?", None) == "what about Aktau?"


def test_only_questions_count_as_follow_ups() -> None:
    assert looks_like_question("what about Aktau") and looks_like_question("Why?")
    assert not looks_like_question("thanks, that helps") and not looks_like_question("")


# -- payloads ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mrkdwn", "plain"), [
    ("<@UBOT> <!channel> *bold* _it_ When did protests reach Almaty?", "bold it When did protests reach Almaty?"),
    ("<!here> <!everyone> <!subteam^S0TEAM|@desk> who won?", "who won?"),
    ("<!date^1392734382^{date_short}|Feb 18, 2014> what happened?", "Feb 18, 2014 what happened?"),
    ("<@UBOT|newsdesk> what did <@U2|bob> say?", "what did @bob say?"),
    ("did <@U3> sign it?", "did sign it?"),
    ("news in <#C0123|general> and <#C0456|>", "news in #general and"),
    ("see <https://x.example/a?b=1&amp;c=2|the report> or <https://x.example/b>",
     "see the report or https://x.example/b"),
    ("write to <mailto:desk@x.example|desk@x.example>", "write to desk@x.example"),
    ("Q&amp;A on &lt;draft&gt; &amp;lt;", "Q&A on <draft> &lt;"),
    ("~struck~ *two words* _one_", "struck two words one"),
    ("(*bold*), _it_. \"*quoted*\"", "(bold), it. \"quoted\""),
    ("`code` and ```fenced\nblock```", "code and fenced block"),
    ("`*kept_as* typed`", "*kept_as* typed"),
    ("&gt; quoted line\n&gt;&gt;&gt; quoted block", "quoted line quoted block"),
    ("snake_case_name, _private_var and __init__", "snake_case_name, _private_var and __init__"),
    ("is 5*3 or 2 * 3 * 4 bigger?", "is 5*3 or 2 * 3 * 4 bigger?"),
    ("it's _Bob's_ car, isn't it?", "it's Bob's car, isn't it?"),
    ("a *b\nc* d", "a *b c* d"),  # markers do not span lines
    ("  spaced\n\n out\t ", "spaced out"),
    ("", ""),
])
def test_slack_markup_becomes_plain_text(mrkdwn: str, plain: str) -> None:
    assert plain_text(mrkdwn, "UBOT") == plain


def test_every_mention_may_be_the_bot_when_its_id_is_unknown() -> None:
    assert plain_text("<@U1> <@U2|bob> hi", None) == "hi"


def test_questions_from_every_door_are_plain_text() -> None:
    dm = {"type": "message", "user": "U1", "text": "*When* did it _end_?", "ts": "5.0", "channel": "D1",
          "channel_type": "im"}
    question = from_message({}, dm, "UBOT")
    assert question is not None and question.text == "When did it end?"
    reply = from_message({}, {**dm, "channel": "C1", "channel_type": "channel", "thread_ts": "1.0",
                              "text": "what about <#C9|aktau>?"}, "UBOT")
    assert reply is not None and reply.text == "what about #aktau?"
    command = from_command({"text": "in_channel  *When* &amp; where?", "channel_id": "C1"}, "UBOT")
    assert (command.text, command.in_channel) == ("When & where?", True)


def test_mention_replies_in_its_thread() -> None:
    body = {"event_id": "Ev1"}
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT>  hi ", "ts": "2.0", "channel": "C1",
             "thread_ts": "1.0", "client_msg_id": "m1"}
    question = from_mention(body, event, "UBOT")
    assert question is not None
    assert (question.text, question.reply_thread, question.conversation) == ("hi", "1.0", "1.0")
    assert set(question.keys) == {"ts:C1:2.0", "event:Ev1", "msg:m1"}
    assert from_mention(body, {**event, "bot_id": "B9"}, "UBOT") is None


def test_which_messages_are_questions() -> None:
    dm = {"type": "message", "user": "U1", "text": "hi?", "ts": "5.0", "channel": "D1", "channel_type": "im"}
    question = from_message({}, dm, "UBOT")
    assert question is not None and question.is_dm and question.reply_thread is None
    assert from_message({}, {**dm, "subtype": "message_changed"}, "UBOT") is None
    channel = {**dm, "channel": "C1", "channel_type": "channel"}
    assert from_message({}, channel, "UBOT") is None  # top-level channel chatter
    reply = from_message({}, {**channel, "thread_ts": "1.0"}, "UBOT")
    assert reply is not None and reply.follow_up_only and reply.reply_thread == "1.0"
    assert from_message({}, {**channel, "thread_ts": "1.0", "text": "<@UBOT> hi?"}, "UBOT") is None


def test_slash_command_options() -> None:
    command = from_command({"text": "in_channel  When?", "channel_id": "C1", "user_id": "U1",
                            "response_url": "http://x"}, "UBOT")
    assert (command.text, command.in_channel, command.is_dm) == ("When?", True, False)
    assert from_command({"text": "When?", "channel_id": "D1", "channel_name": "directmessage"}, "UBOT").is_dm


def test_access() -> None:
    open_to_all = Access()
    assert open_to_all.allows("C1", "U1", is_dm=False)
    limited = Access(frozenset({"C1"}), frozenset({"U1"}))
    assert limited.allows("C1", "U1", False) and limited.allows("D9", "U1", True)
    assert not limited.allows("C2", "U1", False) and not limited.allows("C1", "U2", False)


# -- deduplication -------------------------------------------------------------------------------


def test_first_claim_wins_on_any_shared_key() -> None:
    deduper = Deduper()
    assert deduper.claim(["ts:C1:1.0", "event:Ev1"])
    assert not deduper.claim(["event:Ev1"])
    assert not deduper.claim(["ts:C1:1.0", "event:Ev2"])  # same message, another event
    assert deduper.claim(["ts:C1:2.0"])


def test_claims_survive_a_restart_and_expire(tmp_path: Path) -> None:
    now = [1000.0]
    first = Deduper(Database(tmp_path / FILE_NAME), ttl_seconds=60, clock=lambda: now[0])
    assert first.claim(["event:Ev1"])
    restarted = Deduper(Database(tmp_path / FILE_NAME), ttl_seconds=60, clock=lambda: now[0])
    assert not restarted.claim(["event:Ev1"])
    now[0] += 61
    assert restarted.claim(["event:Ev1"])


# -- feedback and its export ----------------------------------------------------------------------


def _answer(question: str, text: str | None) -> Answer:
    quote = f"{text}." if text else ""
    citations = [Citation("art1", "Title", date(2022, 1, 6), None, None, None, quote, 10, 10 + len(quote))] if text else []
    return Answer(question, text, citations, as_of=date(2022, 2, 1))


def test_feedback_round_trip_and_gold_export(tmp_path: Path) -> None:
    home = tmp_path / "home"
    clock = [datetime(2026, 11, 3, 23, 30, tzinfo=UTC)]
    store = FeedbackStore(Database(home / FILE_NAME), clock=lambda: clock[0])
    liked = store.record_answer(_answer("When did protests reach Almaty?", "January 4"), "when almaty?", "C1", "U1")
    disputed = store.record_answer(_answer("Who?", "Someone"), "who?", "C1", "U1")
    abstained = store.record_answer(_answer("What?", None), "what?", "C1", "U1")
    store.record_click(liked, "U1", "down")
    store.record_click(liked, "U1", "up")  # a user's latest verdict replaces the earlier one
    store.record_click(liked, "U2", "up")
    store.record_click(disputed, "U1", "up")
    store.record_click(disputed, "U2", "down")
    store.record_click(abstained, "U1", "up")
    assert not store.record_click("unknown", "U1", "up")
    assert store.answer(liked) == _answer("When did protests reach Almaty?", "January 4")

    result = CliRunner().invoke(cli, ["feedback", "export", str(tmp_path / "gold.jsonl"), "--data-dir", str(home)])
    assert result.exit_code == 0, result.output
    assert "wrote 1 question(s)" in result.stdout
    lines = (tmp_path / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [{
        "id": f"feedback-{liked}", "question": "When did protests reach Almaty?", "answers": ["January 4"],
        "answerable": True, "type": "feedback", "as_of": "2026-11-03",
        "evidence": [{"article_id": "art1", "quote": "January 4."}],
    }]


def test_export_without_feedback_writes_an_empty_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["feedback", "export", str(tmp_path / "g.jsonl"), "--data-dir", str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / "g.jsonl").read_text() == ""
    assert "No 👍 feedback" in result.stdout


def test_manifest_matches_what_the_bot_handles() -> None:
    result = CliRunner().invoke(cli, ["slack", "--manifest"])
    assert result.exit_code == 0
    manifest = yaml.safe_load(result.stdout)
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"app_mention", "message.channels", "message.im"}
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [COMMAND]
    assert {"app_mentions:read", "channels:history", "im:history", "chat:write", "commands",
            "reactions:write"} == set(manifest["oauth_config"]["scopes"]["bot"])


def test_a_recorded_answer_reads_back_whole() -> None:
    from datetime import date

    from bot.answer import Answer, Citation
    from bot.slack.feedback import answer_from_json

    citation = Citation("a1", "Title", date(2022, 1, 6), "https://x.example/a", "x.example", None,
                        "Two days later.", 10, 25, 0.5)
    answer = Answer("When?", "4 January 2022", [citation], as_of=date(2022, 1, 10), sentence="Two days later.",
                    score=0.5, mode="llm", notes=["a note"], retrieved=["a1"], dropped_citations=2)
    assert answer_from_json(answer.to_json()) == answer
