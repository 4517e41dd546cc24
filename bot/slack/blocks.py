"""Answers as Slack Block Kit: article text escaped for mrkdwn, every field inside Slack's limits.

Safety: article text can contain `<!channel>`, `<@U123>` or `<https://evil|click>`. Escaping `&`, `<`
and `>` (Slack's three control characters) turns those into literal text, and `verbatim` text objects
stop Slack from auto-linking bare names or URLs; only links built here from a citation's own URL are
clickable.

Limits: a text object holds at most 3000 characters and a message 50 blocks (and, in practice,
about 12,000 characters of blocks). Lengths are counted in UTF-16 code units, which is never fewer
than Slack's count. Long text is cut between grapheme clusters (never inside an emoji, a flag or
a letter with its accents), after escaping has been accounted for, and ends with an ellipsis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import regex

from bot import messages
from bot.answer import Answer, Citation, Point
from bot.render import DATED_SHAPES, citation_notes, lead_point

Block = dict[str, Any]

TEXT_LIMIT = 3000  # Slack's maximum for any text object
SAFE_TEXT_LIMIT = 2900  # what we fill a text object up to, leaving room for our own markup
ANSWER_LIMIT = 1000
QUOTE_LIMIT = 600  # per quote in an answer; "Show full sources" gives the rest
TITLE_LIMIT = 200
SOURCE_LIMIT = 100
NOTE_LIMIT = 300  # an earlier version's day, the other outlets of a wire story
URL_LIMIT = 1500
FALLBACK_LIMIT = 1000  # the notification text shown where blocks are not
MAX_CITATIONS_SHOWN = 5
MAX_POINTS_SHOWN = 12  # a composed answer's points: one section each, well inside MAX_BLOCKS
MAX_BLOCKS = 50
MESSAGE_TEXT_BUDGET = 10_000  # total block text per message, below the ~12,000 Slack accepts
ELLIPSIS = "…"

ACTION_UP = "newsdesk_feedback_up"
ACTION_DOWN = "newsdesk_feedback_down"
ACTION_SOURCES = "newsdesk_full_sources"
VERDICTS = {ACTION_UP: "up", ACTION_DOWN: "down"}

_GRAPHEME = regex.compile(r"\X")
_WORD_BREAK_WINDOW = 0.2  # when trimming, back up to a space if one is this close to the end


@dataclass(frozen=True)
class Reply:
    """One Slack message: notification `text` plus the blocks shown in the client."""

    text: str
    blocks: list[Block]


def escape(text: str) -> str:
    """Slack mrkdwn escaping: `&`, `<` and `>` are the only control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def units(text: str) -> int:
    """Length in UTF-16 code units: what JavaScript-side limits count, never less than code points."""
    return len(text.encode("utf-16-le")) // 2


def _cost(piece: str, quoted: bool) -> int:
    # Inside a block quote every line break becomes "\n> ".
    return units(piece) + (2 * piece.count("\n") if quoted else 0)


def _graphemes(raw: str) -> list[str]:
    return [escape(cluster) for cluster in _GRAPHEME.findall(raw)]


def fit(raw: str, limit: int, quoted: bool = False) -> tuple[str, bool]:
    """`raw` escaped, at most `limit` units long (as a quote if `quoted`), and whether it was cut."""
    pieces = _graphemes(raw)
    if sum(_cost(p, quoted) for p in pieces) <= limit:
        return "".join(pieces), False
    budget = limit - units(ELLIPSIS)
    kept = 0
    used = 0
    for piece in pieces:
        cost = _cost(piece, quoted)
        if used + cost > budget:
            break
        used += cost
        kept += 1
    # Prefer ending on a word boundary when one is near; a space is always its own cluster.
    window = max(1, int(kept * _WORD_BREAK_WINDOW))
    for index in range(kept - 1, max(kept - window, 0) - 1, -1):
        if pieces[index].isspace():
            kept = index
            break
    return "".join(pieces[:kept]).rstrip() + ELLIPSIS, True


def split(raw: str, limit: int, quoted: bool = False) -> list[str]:
    """`raw` escaped and cut into consecutive parts of at most `limit` units, between graphemes."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for piece in _graphemes(raw):
        cost = _cost(piece, quoted)
        if current and used + cost > limit:
            parts.append("".join(current))
            current, used = [], 0
        current.append(piece)
        used += cost
    if current:
        parts.append("".join(current))
    return parts


def _as_quote(escaped: str) -> str:
    return "> " + escaped.replace("\n", "\n> ")


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(text)]}


def _safe_url(url: str | None) -> str | None:
    """An http(s) URL usable inside `<url|title>`, or None when it is not one."""
    if not url or units(url) > URL_LIMIT:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    cleaned = url.strip()
    for raw, encoded in ((" ", "%20"), ("|", "%7C"), ("<", "%3C"), (">", "%3E"), ('"', "%22")):
        cleaned = cleaned.replace(raw, encoded)
    return cleaned.replace("&", "&amp;")


def citation_line(number: int, citation: Citation) -> str:
    """`[1] <url|Title> · 2022-01-06 · source`, or the archive path when there is no URL."""
    title, _ = fit(citation.title or citation.article_id, TITLE_LIMIT)
    url = _safe_url(citation.url)
    parts = [f"[{number}] <{url}|{title}>" if url else f"[{number}] {title}"]
    if not url and citation.path:
        path, _ = fit(citation.path.replace("`", "'"), TITLE_LIMIT)
        parts.append(f"`{path}`")
    parts.append(citation.published.isoformat() if citation.published else messages.SLACK_UNDATED)
    if citation.source:
        parts.append(fit(citation.source, SOURCE_LIMIT)[0])
    parts.extend(fit(note, NOTE_LIMIT)[0] for note in citation_notes(citation, names_shown=3))
    return " · ".join(parts)


def _feedback_actions(answer_id: str, with_sources: bool) -> Block:
    def button(label: str, action_id: str) -> dict[str, Any]:
        return {"type": "button", "action_id": action_id, "value": answer_id,
                "text": {"type": "plain_text", "text": label, "emoji": True}}

    elements = [button(messages.SLACK_BUTTON_UP, ACTION_UP), button(messages.SLACK_BUTTON_DOWN, ACTION_DOWN)]
    if with_sources:
        elements.append(button(messages.SLACK_BUTTON_SOURCES, ACTION_SOURCES))
    return {"type": "actions", "block_id": "newsdesk_feedback", "elements": elements}


def answer_reply(answer: Answer, answer_id: str | None = None) -> Reply:
    """The answer first, then each citation as a quote with its linked title, date and source.

    With an `answer_id`, 👍/👎 buttons (and "Show full sources" when something was shortened)
    carry that id back to the bot.
    """
    if answer.abstained:
        blocks = [_section(messages.NOT_IN_ARCHIVE)]
        if answer_id:
            blocks.append(_feedback_actions(answer_id, with_sources=False))
        return Reply(messages.NOT_IN_ARCHIVE, blocks)
    if answer.points:
        return _points_reply(answer, answer_id)
    heading = f"*{messages.SLACK_ANSWER_HEADING}:*"
    quotes = {c.quote for c in answer.citations}
    # An extractive answer is itself a quote: shown once, as a quote, with its source under it.
    answer_is_quote = answer.answer in quotes
    if answer_is_quote:
        text, shortened = fit(answer.answer or "", ANSWER_LIMIT, quoted=True)
        body = f"{heading}\n{_as_quote(text)}"
    else:
        text, shortened = fit(answer.answer or "", ANSWER_LIMIT)
        body = f"{heading} {text}"
    if answer.sentence and answer.sentence != answer.answer and answer.sentence not in quotes:
        sentence, _ = fit(answer.sentence, ANSWER_LIMIT)
        body += f"\n_{messages.SLACK_SUPPORTING_SENTENCE}:_ {sentence}"
    blocks = [_section(body)]
    for number, citation in enumerate(answer.citations[:MAX_CITATIONS_SHOWN], start=1):
        if not (answer_is_quote and citation.quote == answer.answer):
            quote, cut = fit(citation.quote, QUOTE_LIMIT, quoted=True)
            shortened = shortened or cut
            blocks.append(_section(_as_quote(quote)))
        blocks.append(_context(citation_line(number, citation)))
    hidden = len(answer.citations) - MAX_CITATIONS_SHOWN
    more = messages.SLACK_MORE_SOURCES.format(count=hidden)
    return _ending(blocks, answer_id, hidden, more, shortened, f"{messages.SLACK_ANSWER_HEADING}: {answer.answer}")


def _points_reply(answer: Answer, answer_id: str | None) -> Reply:
    """A composed answer: its lead (a quote shown as one, with its source), then one section per
    point: its date, its quote (after a list's members, or the model's own sentence) and its
    linked source; as many as fit (`MAX_POINTS_SHOWN`), the rest behind "Show full sources"."""
    heading = f"*{messages.SHAPE_HEADINGS.get(answer.shape, messages.SLACK_ANSWER_HEADING)}:*"
    lead = lead_point(answer)
    points = [p for p in answer.points if p is not lead]
    text, shortened = fit(answer.answer or "", ANSWER_LIMIT, quoted=lead is not None)
    blocks = [_section(f"{heading}\n{_as_quote(text)}" if lead else f"{heading} {text}")]
    if lead is not None:
        blocks.append(_context(citation_line(1, lead.citation)))
    first = 2 if lead is not None else 1
    for number, point in enumerate(points[:MAX_POINTS_SHOWN], start=first):
        section, cut = _point_section(answer, number, point)
        blocks.append(section)
        shortened = shortened or cut
    hidden = len(points) - MAX_POINTS_SHOWN
    more = messages.SLACK_MORE_POINTS.format(count=hidden)
    return _ending(blocks, answer_id, hidden, more, shortened, f"{heading.strip('*:')}: {answer.answer}")


def _ending(blocks: list[Block], answer_id: str | None, hidden: int, more: str, shortened: bool,
            fallback: str) -> Reply:
    """A reply's last blocks: how many items are not shown (`more`), else whether quotes were
    shortened; the feedback buttons; and the plain-text fallback."""
    if hidden > 0:
        blocks.append(_context(more))
    elif shortened:
        blocks.append(_context(messages.SLACK_QUOTES_SHORTENED))
    if answer_id:
        blocks.append(_feedback_actions(answer_id, with_sources=shortened or hidden > 0))
    return Reply(fit(fallback, FALLBACK_LIMIT)[0], blocks)


def _point_section(answer: Answer, number: int, point: Point) -> tuple[Block, bool]:
    """A point over its source line: a timeline's (and the latest's) as `*date* — “quote”`, a
    list's as `*members* — “quote”`, the model's own sentence over its quote in LLM mode; the quote
    cut to what the section has room for. Also whether it was cut."""
    note = fit(point.note, NOTE_LIMIT)[0] if point.note else ""
    said = f"{note}\n" if note and answer.mode == "llm" else f"*{note}* — " if note else ""
    if answer.shape in DATED_SHAPES:
        said = f"*{point.date.isoformat() if point.date else messages.SLACK_UNDATED}* — {said}"
    source = citation_line(number, point.citation)
    room = SAFE_TEXT_LIMIT - units(f"{said}“”\n") - units(source)
    quote, cut = fit(point.citation.quote, max(min(QUOTE_LIMIT, room), 1))
    return _section(f"{said}“{quote}”\n{source}"), cut


def draft_reply(draft: str) -> Reply:
    """The model's answer as it is being written (LLM mode): unverified, and labelled so."""
    shown, _ = fit(draft, ANSWER_LIMIT)
    text = messages.SLACK_DRAFT.format(answer=shown)
    return Reply(text, [_section(text)])


def notice_reply(text: str) -> Reply:
    """A message in newsdesk's own words (errors, usage, refusals), escaped all the same."""
    return Reply(escape(text), [_section(escape(text))])


def full_sources_replies(answer: Answer) -> list[Reply]:
    """Every citation with its whole quote, spread over as many messages as Slack's limits need."""
    heading, _ = fit(answer.question, TITLE_LIMIT)
    title = messages.SLACK_FULL_SOURCES_HEADING.format(question=heading)
    replies: list[Reply] = []
    blocks: list[Block] = [_section(title)]
    used = units(title)

    def add(block: Block, size: int) -> None:
        nonlocal blocks, used
        if len(blocks) >= MAX_BLOCKS or used + size > MESSAGE_TEXT_BUDGET:
            replies.append(Reply(title, blocks))
            blocks, used = [], 0
        blocks.append(block)
        used += size

    for number, citation in enumerate(answer.citations, start=1):
        line = citation_line(number, citation)
        add(_context(line), units(line))
        for part in split(citation.quote, SAFE_TEXT_LIMIT, quoted=True):
            text = _as_quote(part)
            add(_section(text), units(text))
    replies.append(Reply(title, blocks))
    return replies
