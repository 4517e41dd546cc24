"""Block Kit rendering: escaping, Slack's size limits, trimming between characters."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from bot import messages
from bot.answer import Answer, Citation
from bot.slack.blocks import (
    ACTION_SOURCES,
    MAX_BLOCKS,
    QUOTE_LIMIT,
    TEXT_LIMIT,
    answer_reply,
    citation_line,
    escape,
    fit,
    full_sources_replies,
    split,
    units,
)


def citation(quote: str, **changes: Any) -> Citation:
    fields: dict[str, Any] = {
        "article_id": "a1", "title": "Kazakhstan: CSTO troops", "published": date(2022, 1, 6),
        "url": "https://example.org/story", "source": "example.org", "path": None, "quote": quote,
        "start": 0, "end": len(quote), "score": 0.9,
    }
    fields.update(changes)
    return Citation(**fields)


def all_texts(blocks: list[dict[str, Any]]) -> list[str]:
    texts = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts.extend(e["text"] if isinstance(e.get("text"), str) else e["text"]["text"]
                     for e in block.get("elements", []))
    return texts


def test_escape_only_slack_control_characters() -> None:
    assert escape("<!channel> & <@U1> *bold*") == "&lt;!channel&gt; &amp; &lt;@U1&gt; *bold*"


def test_fit_keeps_short_text_and_trims_long_text_with_an_ellipsis() -> None:
    assert fit("short & sweet", 100) == ("short &amp; sweet", False)
    text, cut = fit("word " * 100, 50)
    assert cut and text.endswith("…") and units(text) <= 50
    assert not text[:-1].endswith(" ")  # cut on a word boundary, trailing space dropped


def test_fit_counts_escapes_and_never_splits_an_entity() -> None:
    text, cut = fit("&" * 100, 20)
    assert cut and units(text) <= 20
    assert text == "&amp;" * 3 + "…"


@pytest.mark.parametrize("unit", ["👍🏽", "🇰🇿", "e\u0301", "👩‍👩‍👧"])
def test_fit_never_cuts_inside_a_character(unit: str) -> None:
    raw = unit * 40
    for limit in range(2, 60):
        text, cut = fit(raw, limit)
        assert cut and units(text) <= limit
        body = text.removesuffix("…")
        assert body == unit * (len(body) // len(unit))  # whole grapheme clusters only


def test_split_covers_the_text_in_pieces_within_the_limit() -> None:
    raw = ("line one & <two>\n" * 300) + "👍🏽" * 500
    parts = split(raw, 500, quoted=True)
    assert "".join(parts) == escape(raw)
    assert all(units(p) + 2 * p.count("\n") <= 500 for p in parts)


def test_answer_reply_shows_the_quote_once_with_its_source_and_buttons() -> None:
    quote = "Two days later, the protests engulfed Almaty."
    reply = answer_reply(Answer("When?", quote, [citation(quote)]), answer_id="abc")
    types = [b["type"] for b in reply.blocks]
    assert types == ["section", "context", "actions"]
    assert reply.blocks[0]["text"]["text"] == f"*Answer:*\n> {quote}"
    assert reply.blocks[1]["elements"][0]["text"] == \
        "[1] <https://example.org/story|Kazakhstan: CSTO troops> · 2022-01-06 · example.org"
    assert [e["value"] for e in reply.blocks[2]["elements"]] == ["abc", "abc"]


def test_short_answer_is_followed_by_its_quotes() -> None:
    answer = Answer("When?", "January 4", [citation("It happened on January 4."), citation("Also on 4 January.")])
    reply = answer_reply(answer, answer_id="abc")
    assert [b["type"] for b in reply.blocks] == ["section", "section", "context", "section", "context", "actions"]
    assert reply.blocks[0]["text"]["text"] == "*Answer:* January 4"
    assert reply.blocks[1]["text"]["text"] == "> It happened on January 4."
    assert reply.text == "Answer: January 4"


def test_abstention_is_honest() -> None:
    reply = answer_reply(Answer("Who won?", None, []), answer_id="abc")
    assert reply.text == messages.NOT_IN_ARCHIVE
    assert reply.blocks[0]["text"]["text"] == messages.NOT_IN_ARCHIVE


def test_long_quotes_are_trimmed_and_full_sources_offered() -> None:
    long_quote = "The protests grew. " * 400  # 7,600 characters
    answer = Answer("What happened?", "They grew", [citation(long_quote)] * 7)
    reply = answer_reply(answer, answer_id="abc")
    assert len(reply.blocks) <= MAX_BLOCKS
    assert all(units(t) <= TEXT_LIMIT for t in all_texts(reply.blocks))
    quotes = [b["text"]["text"] for b in reply.blocks[1:] if b["type"] == "section"]
    assert len(quotes) == 5 and all(q.endswith("…") and units(q) <= QUOTE_LIMIT + 2 for q in quotes)
    assert ACTION_SOURCES in json.dumps(reply.blocks)
    assert "2 more source(s)" in json.dumps(reply.blocks)

    full = full_sources_replies(answer)
    quoted = [b["text"]["text"] for r in full for b in r.blocks if b["type"] == "section"][1:]
    assert all(q.startswith("> ") for q in quoted)
    assert "".join(q[2:] for q in quoted) == long_quote * 7  # nothing lost
    for r in full:
        assert len(r.blocks) <= MAX_BLOCKS
        assert all(units(t) <= TEXT_LIMIT for t in all_texts(r.blocks))
        assert sum(units(t) for t in all_texts(r.blocks)) <= 12_000


def test_citation_without_url_shows_the_archive_path_and_unsafe_urls_are_not_linked() -> None:
    line = citation_line(2, citation("q", url=None, path="/data/news/a.txt", published=None, source=None))
    assert line == "[2] Kazakhstan: CSTO troops · `/data/news/a.txt` · undated"
    assert "<" not in citation_line(1, citation("q", url="javascript:alert(1)"))
    link = citation_line(1, citation("q", url="https://x.org/a b|c>d&e", title="A <b>"))
    assert link.startswith("[1] <https://x.org/a%20b%7Cc%3Ed&amp;e|A &lt;b&gt;>")
