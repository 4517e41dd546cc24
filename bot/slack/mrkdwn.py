"""Slack message text ("mrkdwn") to the plain text a person meant: what the answerer is asked.

Slack sends `<@U123>`, `<#C123|general>`, `<https://x|label>` and `<!channel>` for what the user
saw as names and links, escapes `&`, `<` and `>`, and keeps `*bold*`, `_italic_`, `~strike~` and
code markers as typed. Like Slack, a formatting marker only counts at a word's edge, so `snake_case`,
`5*3` and apostrophes stay as they are.
"""

from __future__ import annotations

import re

_ANGLE = re.compile(r"<([^<>\n]*)>")
_CODE = re.compile(r"```(.*?)```|`([^`\n]+)`", re.DOTALL)
_QUOTE_MARK = re.compile(r"^(?:&gt;){1,3} ?", re.MULTILINE)  # `>` and `>>>` at a line's start


def _styled(marker: str) -> re.Pattern[str]:
    """`*text*` for marker `*`: opens after a non-alphanumeric, closes before one, no space inside
    the edges, on one line, and never doubled (`__init__` and `**` are left alone)."""
    m = re.escape(marker)
    edge = rf"[^\s{m}]"  # the first and last character inside
    return re.compile(rf"(?<![^\W_])(?<!{m}){m}({edge}(?:[^{m}\n]*{edge})?){m}(?![^\W_])(?!{m})")


_STYLES = [_styled(marker) for marker in "*_~"]


def plain_text(text: str, bot_user_id: str | None) -> str:
    """`text` as a person reads it, without the bot's mention (any unnamed user mention is dropped,
    and every mention when the bot's id is unknown), on one line with single spaces."""

    def angle(match: re.Match[str]) -> str:
        return _angle_text(match.group(1), bot_user_id)

    text = _QUOTE_MARK.sub("", text)
    parts = _CODE.split(_ANGLE.sub(angle, text))
    # split() with two groups yields: text, fenced code, inline code, text, ... (code is kept as typed)
    pieces = []
    for index in range(0, len(parts), 3):
        pieces.append(_unstyled(parts[index]))
        pieces.extend(code for code in parts[index + 1:index + 3] if code)
    return " ".join(_unescaped("".join(pieces)).split())


def _angle_text(inner: str, bot_user_id: str | None) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        is_bot = bot_user_id is None or target[1:] == bot_user_id
        return f"@{label}" if label and not is_bot else ""
    if target.startswith("#"):
        return f"#{label}" if label else ""
    if target.startswith("!"):  # @channel, @here, @everyone, user groups; a date shows its fallback
        return label if target.startswith("!date^") else ""
    return label or target  # a link: what it says, else the address


def _unstyled(text: str) -> str:
    for style in _STYLES:
        previous = None
        while previous != text:  # nested styles, e.g. *_both_*
            previous, text = text, style.sub(r"\1", text)
    return text


def _unescaped(text: str) -> str:
    """Slack escapes only these three; `&amp;` last, so `&amp;lt;` stays the text `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
