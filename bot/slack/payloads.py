"""The shape of a Slack payload, checked once before any listener reads it.

Bolt hands listeners whatever JSON arrived; the parsers in `events` and the listeners in
`handlers` read the fields below as strings and objects. `refusal` runs before Bolt reads the payload
(its own middleware also trusts the shape: an `event` that is a string fails inside it), for HTTP
and Socket Mode alike: a payload of another shape gets a 400 and one log line, never a traceback.
Fields nobody reads are not checked; Slack adds new ones all the time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import BoltResponse

from bot import messages

log = logging.getLogger(__name__)

# What the listeners read from an event (`events.from_mention`, `events.from_message`).
EVENT_STRINGS = ("type", "subtype", "user", "bot_id", "text", "ts", "thread_ts", "channel", "channel_type",
                 "client_msg_id")
# What the button listeners read from a click (`handlers.register`).
ACTION_STRINGS = ("action_id", "value")


def problem(body: Mapping[str, Any]) -> str | None:
    """What is wrong with the shape of `body`, or None when the listeners can read it."""
    if not body:
        return messages.SLACK_PAYLOAD_EMPTY
    if isinstance(body.get("command"), str) or body.get("ssl_check") == "1":  # forms: every value a string
        return None
    kind = body.get("type")
    if not isinstance(kind, str):
        return messages.SLACK_PAYLOAD_NO_TYPE
    if kind == "event_callback":
        return _event_problem(body.get("event"))
    if kind == "block_actions":
        return _click_problem(body)
    return None


def _event_problem(event: object) -> str | None:
    if not isinstance(event, Mapping) or not isinstance(event.get("type"), str):
        return messages.SLACK_PAYLOAD_NO_EVENT
    return _not_strings(event, EVENT_STRINGS, "event")


def _click_problem(body: Mapping[str, Any]) -> str | None:
    user, channel, actions = body.get("user"), body.get("channel"), body.get("actions")
    if not isinstance(user, Mapping):
        return messages.SLACK_PAYLOAD_NOT_OBJECT.format(field="user")
    if channel is not None and not isinstance(channel, Mapping):
        return messages.SLACK_PAYLOAD_NOT_OBJECT.format(field="channel")
    if not isinstance(actions, list) or not all(isinstance(a, Mapping) for a in actions):
        return messages.SLACK_PAYLOAD_NOT_LIST.format(field="actions")
    strings = [_not_strings(user, ("id",), "user"), _not_strings(channel or {}, ("id",), "channel"),
               _not_strings(body, ("response_url",), "payload"),
               *(_not_strings(action, ACTION_STRINGS, "action") for action in actions)]
    return next((s for s in strings if s), None)


def _not_strings(where: Mapping[str, Any], keys: tuple[str, ...], name: str) -> str | None:
    for key in keys:
        if where.get(key) is not None and not isinstance(where[key], str):
            return messages.SLACK_PAYLOAD_NOT_STRING.format(field=f"{name}.{key}", kind=type(where[key]).__name__)
    return None


def refusal(body: Mapping[str, Any]) -> BoltResponse | None:
    """None for a payload the listeners can read; else a 400 saying why, logged in one line."""
    found = problem(body)
    if found is None:
        return None
    log.warning("refused a payload: HTTP 400, %s", found)
    return BoltResponse(status=400, body=f"{found}\n")
