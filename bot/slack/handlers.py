"""Bolt listeners: parse the payload, check access, acknowledge, hand over to the desk.

Bolt acknowledges events itself before calling the listener; commands and button clicks are
acknowledged here first thing. The desk queues the slow part (the answer) on its own threads, so
listeners return at once and never hold up the next ack.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import messages
from bot.slack.access import Access
from bot.slack.blocks import ACTION_DOWN, ACTION_SOURCES, ACTION_UP, VERDICTS
from bot.slack.desk import Desk
from bot.slack.events import Question, from_command, from_mention, from_message

log = logging.getLogger(__name__)

COMMAND = "/news"


def register(app: App, desk: Desk, access: Access) -> None:
    def ask(question: Question | None, client: WebClient) -> None:
        if question is None:
            return
        if not access.allows(question.channel, question.user, question.is_dm):
            log.debug("silent on %s: %s in %s is outside the allowlists", question.ts, question.user, question.channel)
            return
        desk.on_question(question, client)

    @app.event("app_mention")
    def on_mention(body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ask(from_mention(body, event, context.bot_user_id), client)

    @app.event("message")
    def on_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ask(from_message(body, event, context.bot_user_id), client)

    @app.command(COMMAND)
    def on_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        parsed = from_command(command, context.bot_user_id)
        if not access.allows(parsed.channel, parsed.user, parsed.is_dm):
            ack(text=messages.SLACK_NOT_ALLOWED)
        elif not parsed.text:
            ack(text=messages.SLACK_USAGE)
        else:
            ack(text=messages.SLACK_SEARCHING)
            desk.on_command(parsed)

    def clicked(body: dict[str, Any], action: dict[str, Any]) -> tuple[str, str, bool]:
        user = str((body.get("user") or {}).get("id") or "")
        channel = str((body.get("channel") or {}).get("id") or "")
        allowed = access.allows(channel, user, channel.startswith("D"))
        return str(action.get("value") or ""), user, allowed

    @app.action(ACTION_UP)
    @app.action(ACTION_DOWN)
    def on_feedback(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        answer_id, user, allowed = clicked(body, action)
        if allowed:
            desk.on_feedback(answer_id, user, VERDICTS[action["action_id"]], body.get("response_url"))

    @app.action(ACTION_SOURCES)
    def on_full_sources(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        answer_id, _, allowed = clicked(body, action)
        if allowed:
            desk.on_full_sources(answer_id, body.get("response_url"))
