"""Slack payloads in, plain questions out: which messages are meant for the bot, and where to reply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.slack.mrkdwn import plain_text

_IN_CHANNEL = ("in_channel", "--in-channel")
# Messages with these subtypes are still someone typing in the conversation.
_TYPED_SUBTYPES = (None, "thread_broadcast", "file_share")


@dataclass(frozen=True)
class Question:
    """A message that asks the bot something."""

    text: str  # plain text (see mrkdwn.plain_text): no bot mention, markup or extra whitespace
    channel: str
    user: str
    ts: str
    reply_thread: str | None  # thread to answer in; None answers in the main view (direct messages)
    conversation: str  # the thread it belongs to for follow-ups ('' for a direct message's main view)
    keys: tuple[str, ...]  # names of this delivery for deduplication
    is_dm: bool
    follow_up_only: bool = False  # a thread reply without a mention: answer only in followed threads


@dataclass(frozen=True)
class Command:
    """A `/news ...` invocation."""

    text: str  # plain text, like Question.text
    in_channel: bool
    channel: str
    user: str
    is_dm: bool
    response_url: str


def _keys(body: Mapping[str, Any], event: Mapping[str, Any]) -> tuple[str, ...]:
    keys = [f"ts:{event.get('channel')}:{event.get('ts')}"]
    if body.get("event_id"):
        keys.append(f"event:{body['event_id']}")
    if event.get("client_msg_id"):
        keys.append(f"msg:{event['client_msg_id']}")
    return tuple(keys)


def _from_someone(event: Mapping[str, Any]) -> bool:
    """Typed by a person: not by a bot (this one or another), not an edit or a join notice."""
    return (
        bool(event.get("user"))
        and not event.get("bot_id")
        and event.get("subtype") in _TYPED_SUBTYPES
        and bool(event.get("channel"))
        and bool(event.get("ts"))
    )


def _is_dm(event: Mapping[str, Any]) -> bool:
    return event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")


def from_mention(body: Mapping[str, Any], event: Mapping[str, Any], bot_user_id: str | None) -> Question | None:
    """An `app_mention`: answered in a thread under the question (or in the thread it was asked in)."""
    if not _from_someone(event):
        return None
    root = event.get("thread_ts") or event["ts"]
    return Question(
        text=plain_text(event.get("text") or "", bot_user_id), channel=event["channel"],
        user=event["user"], ts=event["ts"], reply_thread=root, conversation=root,
        keys=_keys(body, event), is_dm=_is_dm(event),
    )


def from_message(body: Mapping[str, Any], event: Mapping[str, Any], bot_user_id: str | None) -> Question | None:
    """A `message`: every direct message, and thread replies that may follow up on an answer."""
    if not _from_someone(event):
        return None
    text = event.get("text") or ""
    thread = event.get("thread_ts")
    if _is_dm(event):
        return Question(
            text=plain_text(text, bot_user_id), channel=event["channel"], user=event["user"],
            ts=event["ts"], reply_thread=thread, conversation=thread or "",
            keys=_keys(body, event), is_dm=True,
        )
    mentioned = bot_user_id is not None and f"<@{bot_user_id}" in text
    if not thread or thread == event["ts"] or mentioned:  # mentions arrive as app_mention too
        return None
    return Question(
        text=plain_text(text, bot_user_id), channel=event["channel"], user=event["user"],
        ts=event["ts"], reply_thread=thread, conversation=thread, keys=_keys(body, event),
        is_dm=False, follow_up_only=True,
    )


def from_command(command: Mapping[str, Any], bot_user_id: str | None) -> Command:
    """`/news [in_channel] QUESTION`: private to the asker unless `in_channel` comes first."""
    words = plain_text(str(command.get("text") or ""), bot_user_id).split()
    in_channel = bool(words) and words[0].lower() in _IN_CHANNEL
    channel = str(command.get("channel_id") or "")
    return Command(
        text=" ".join(words[1:] if in_channel else words),
        in_channel=in_channel,
        channel=channel,
        user=str(command.get("user_id") or ""),
        is_dm=command.get("channel_name") == "directmessage" or channel.startswith("D"),
        response_url=str(command.get("response_url") or ""),
    )
