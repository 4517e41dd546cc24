"""Composed answers as a user sees them: `newsdesk ask --shape ...` (JSON and terminal text) and
the Slack reply, through the real CLI and a fake Slack Web API on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bot import messages
from bot.answer import Answer, Answerer
from bot.cli.main import app
from bot.query import Query
from bot.runtime import Runtime
from bot.slack.blocks import MAX_BLOCKS, TEXT_LIMIT, answer_reply
from language.shapes import Shape
from tests.slack_fake import mention, wait_for
from tests.story_archive import END
from tests.test_slack_bot import next_ts, running_bot, section_texts

runner = CliRunner()
TIMELINE = "Give me a timeline of the unrest in Kazakhstan"


def invoke(*args: str, home: Path) -> Any:
    return runner.invoke(app, [*args, "--data-dir", str(home)], catch_exceptions=False)


def test_ask_with_a_shape_prints_shape_and_dated_points_as_json(seeded_home: Path) -> None:
    done = invoke("ask", "--json", "--shape", "timeline", "--as-of", "2022-01-07", TIMELINE, home=seeded_home)
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["shape"] == "timeline" and not data["abstained"]
    days = [p["date"] for p in data["points"]]
    assert len(days) >= 3 and days == sorted(days) and "2022-01-02" in days
    for point in data["points"]:
        assert set(point) >= {"text", "date", "article_id", "citation"}
        assert point["citation"]["quote"] and point["article_id"] == point["citation"]["article_id"]
    assert [c["quote"] for c in data["citations"]] == [p["citation"]["quote"] for p in data["points"]]


def test_ask_prints_a_timeline_as_dated_bullets_with_their_sources(seeded_home: Path) -> None:
    done = invoke("ask", "--shape", "timeline", "--as-of", "2022-01-07", TIMELINE, home=seeded_home)
    assert done.exit_code == 0, done.output
    shown = " ".join(done.stdout.split())
    assert shown.startswith(f"{messages.SHAPE_HEADINGS['timeline']}:")
    assert "2022-01-02 — “On January 2, crowds took to the streets" in shown
    assert shown.index("2022-01-02 —") < shown.index("2022-01-04 —")
    assert "Kazakhstan: CSTO troops to quell protests" in shown  # each point's title, as a factoid's
    assert re.search(r"chars \d+-\d+", shown)


def test_ask_prints_an_overview_as_a_lead_and_bullets(seeded_home: Path) -> None:
    done = invoke("ask", "--shape", "overview", "--as-of", "2022-01-07", "Summarize the protests in Kazakhstan",
                  home=seeded_home)
    assert done.exit_code == 0, done.output
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines[0].startswith(f"{messages.SHAPE_HEADINGS['overview']}:")
    assert sum(line.lstrip().startswith("•") for line in lines) >= 2


def test_a_shape_with_choices_is_one_clear_line(seeded_home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--shape", "overview", "--choice", "Aktau", "--choice", "Almaty",
         "Where?", "--data-dir", str(seeded_home)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert messages.SHAPE_WITH_CHOICES.format(shape="overview") in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
    unknown = invoke("ask", "--shape", "essay", "Where?", home=seeded_home)
    assert unknown.exit_code == 2 and "essay" in unknown.output


class Shaped:
    """The real answerer, asked every question in one shape (Slack reads it from the words)."""

    def __init__(self, inner: Answerer, shape: Shape) -> None:
        self.inner = inner
        self.shape = shape
        self.queries: list[Query] = []

    def ask(self, query: Query) -> Answer:
        shaped = Query(query.text, END, query.frame, query.info, query.choices, self.shape)
        self.queries.append(shaped)
        return self.inner.ask(shaped)


def test_slack_shows_a_timeline_as_a_threaded_list_with_dates_and_links(
        tmp_path: Path, story_runtime: Runtime) -> None:
    answerer = Shaped(story_runtime.answerer, Shape.TIMELINE)
    with running_bot(tmp_path / "bot-home", answerer) as bot:
        ts = next_ts()
        bot.send_event(mention("Give me a timeline of the dockworkers' strike", ts))
        reply = wait_for(lambda: bot.replies_in_thread("C0NEWS", ts), what="the threaded reply")[0]
    blocks = reply.params["blocks"]
    texts = section_texts(blocks)
    assert texts[0].startswith(f"*{messages.SHAPE_HEADINGS['timeline']}:*")
    assert answerer.queries[0].shape is Shape.TIMELINE
    assert any("*2023-03-06* — " in t for t in texts) and any("*2023-03-08* — " in t for t in texts)
    assert "<https://harbour.example/a1|Dockworkers walk out at Rotterdam port>" in reply.blocks_json
    assert texts.index(next(t for t in texts if "*2023-03-06*" in t)) < texts.index(
        next(t for t in texts if "*2023-03-08*" in t))
    assert len(blocks) <= MAX_BLOCKS and all(len(t) <= TEXT_LIMIT for t in texts)
    assert blocks[-1]["type"] == "actions"  # the feedback buttons, as for a factoid


def test_a_long_list_stays_inside_slacks_limits(story_runtime: Runtime) -> None:
    answer = story_runtime.answerer.ask(story_runtime.query(
        "Which cities did the dockworkers' strike spread to?", END, shape=Shape.LIST))
    point = answer.points[0]
    many = Answer(answer.question, answer.answer, [point.citation] * 80, as_of=date(2023, 3, 16),
                  shape="list", points=[point] * 80)
    reply = answer_reply(many, "A1")
    texts = section_texts(reply.blocks)
    assert len(reply.blocks) <= MAX_BLOCKS and all(len(t) <= TEXT_LIMIT for t in texts)
    assert texts[0].startswith(f"*{messages.SHAPE_HEADINGS['list']}:*")
    assert any(messages.SLACK_MORE_POINTS.format(count=80 - len([t for t in texts if "—" in t])) in t
               for t in texts)


def test_the_slack_bot_keeps_a_composed_answer_with_its_points(story_runtime: Runtime) -> None:
    from bot.slack.feedback import answer_from_json

    answer = story_runtime.answerer.ask(story_runtime.query(
        "Which cities did the dockworkers' strike spread to?", END, shape=Shape.LIST))
    kept = answer_from_json(json.loads(json.dumps(answer.to_json())))
    assert kept.shape == "list"
    assert [(p.note, p.date, p.citation.quote, p.citation.start) for p in kept.points] == [
        (p.note, p.date, p.citation.quote, p.citation.start) for p in answer.points]
