"""Reading the model's reply tolerantly: the first JSON object with an "answer", fences and chatter allowed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot import messages
from bot.errors import LLMError

_THINKING = re.compile(r"<think>.*?(</think>|\Z)", re.DOTALL | re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_ANSWER_KEY = re.compile(r'"answer"\s*:\s*')


@dataclass(frozen=True)
class ProposedCitation:
    """A citation as the model wrote it: unverified until located in the stored text."""

    passage: int
    quote: str


@dataclass(frozen=True)
class ModelReply:
    answer: str | None  # None: the model says the passages do not answer the question
    citations: list[ProposedCitation]
    malformed: int = 0  # citation entries without a usable passage number or quote


@dataclass(frozen=True)
class ProposedPoint:
    """A sentence of a composed answer as the model wrote it, with the quote it rests on."""

    text: str
    citation: ProposedCitation


def parse_reply(text: str) -> ModelReply:
    """Raises LLMError when the reply holds no JSON object with an "answer" key."""
    data = _first_object(_THINKING.sub("", text))
    if data is None:
        raise LLMError(messages.LLM_INVALID_REPLY, "invalid_reply")
    answer = data.get("answer")
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        answer = str(answer)
    if answer is not None and not isinstance(answer, str):
        raise LLMError(messages.LLM_INVALID_REPLY, "invalid_reply")
    answer = " ".join(answer.split()) if answer else None
    raw = data.get("citations")
    entries: list[Any] = raw if isinstance(raw, list) else ([] if raw is None else [raw])
    citations: list[ProposedCitation] = []
    malformed = 0
    for entry in entries:
        proposed = _citation(entry)
        if proposed is None:
            malformed += 1
        else:
            citations.append(proposed)
    return ModelReply(answer or None, citations, malformed)


def parse_points(text: str) -> tuple[list[ProposedPoint], int]:
    """A composed answer's sentences (`{"points": [{"text", "passage", "quote"}]}`), and how many
    entries were unreadable. Raises LLMError when the reply holds no JSON object with "points"."""
    data = _first_object(_THINKING.sub("", text), "points")
    if data is None:
        raise LLMError(messages.LLM_INVALID_REPLY, "invalid_reply")
    raw = data.get("points")
    entries: list[Any] = raw if isinstance(raw, list) else []
    points: list[ProposedPoint] = []
    for entry in entries:
        said = entry.get("text", entry.get("sentence")) if isinstance(entry, dict) else None
        cited = _citation(entry)
        if isinstance(said, str) and said.strip() and cited is not None:
            points.append(ProposedPoint(" ".join(said.split()), cited))
    return points, len(entries) - len(points)


def partial_answer(text: str) -> str | None:
    """The "answer" string as far as it has streamed, for live display; None until it starts."""
    text = _THINKING.sub("", text)
    match = _ANSWER_KEY.search(text)
    if match is None or not text.startswith('"', match.end()):
        return None
    out: list[str] = []
    i = match.end() + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            break
        if ch == "\\":
            escape = text[i:i + 6] if text[i + 1:i + 2] == "u" else text[i:i + 2]
            if len(escape) < 2 or (escape[1] == "u" and len(escape) < 6):
                break  # the escape has not fully arrived yet
            try:
                out.append(json.loads(f'"{escape}"'))
            except json.JSONDecodeError:
                out.append(escape[1:])
            i += len(escape)
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _first_object(text: str, key: str = "answer") -> dict[str, Any] | None:
    """The first JSON object in `text` with `key`."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict) and key in value:
            return value
        start = text.find("{", start + 1)
    return _closed(text, key)


def _closed(text: str, key: str) -> dict[str, Any] | None:
    """The reply's object with its missing closing brackets added: small local models often stop
    one "}" short. Only when every string is closed, so nothing the model wrote is invented."""
    start = text.find("{")
    if start == -1:
        return None
    stack: list[str] = []
    in_string = escaped = False
    for ch in text[start:]:
        if in_string:
            escaped, in_string = (False, in_string) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not stack or stack.pop() != ch:
                return None
    if in_string or not stack:
        return None
    try:
        value = json.loads(text[start:].rstrip().rstrip(",") + "".join(reversed(stack)))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) and key in value else None


def _citation(entry: Any) -> ProposedCitation | None:
    if not isinstance(entry, dict):
        return None
    number = entry.get("passage", entry.get("source", entry.get("id")))
    quote = entry.get("quote", entry.get("text"))
    if isinstance(number, bool) or not isinstance(quote, str) or not quote.strip():
        return None
    if isinstance(number, int):
        return ProposedCitation(number, quote)
    found = _NUMBER.search(number) if isinstance(number, str) else None
    return ProposedCitation(int(found.group()), quote) if found else None
