"""`newsdesk kit descriptive`: a descriptive set's corpus from a kit's archive (the story articles
and distractors from the same weeks, the same every run), its key facts checked first; and the
shipped dev set itself (its shape, and that it builds over the dev kit when the kit is here)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from evals.descriptive_builder import DEV_SET, build_descriptive_set
from evals.kit import load_kit
from index.errors import UserInputError
from tests.conftest import REPO

# ../shared beside the checkout, or beside the folder of worktrees it is one of
DEV_KIT = next((d / "shared" / "evals" / "realtimeqa-dev" for d in (REPO.parent, REPO.parent.parent)
                if (d / "shared" / "evals" / "realtimeqa-dev").is_dir()), REPO.parent / "shared")


def article(aid: str, day: str, title: str, text: str) -> dict[str, Any]:
    return {"id": aid, "url": f"https://example.org/{aid}", "title": title, "text": text, "published": day,
            "source": "example.org", "origin": "gcs"}


ARCHIVE = [
    article("dam-1", "2022-05-03", "Orlen Bay dam cracks", "The Orlen Bay dam cracked on Tuesday."),
    article("dam-2", "2022-05-09", "Farms reopen", "Farms below the Orlen Bay dam reopened on Monday."),
    article("dam-late", "2022-05-30", "Dam inquiry", "An inquiry into the Orlen Bay dam opened."),
    article("dam-mention", "2022-05-05", "Weekly round-up", "Rain, a ferry and the Orlen Bay dam."),
    *(article(f"other-{n}", f"2022-05-{n + 3:02d}", f"Other news {n}", f"Item {n} of the other news.")
      for n in range(6)),
    article("too-early", "2022-04-01", "April news", "Something from April."),
    article("empty", "2022-05-06", "Empty", "  "),
]
QUESTION = {"id": "dam-overview", "question": "What happened at the Orlen Bay dam?", "as_of": "2022-05-10",
            "shape": "overview", "story_article_ids": ["dam-1", "dam-2"], "key_facts": [
                {"fact": "It cracked", "accept": ["dam cracked"], "article_ids": ["dam-1"], "date": None},
                {"fact": "Farms reopened", "accept": ["reopened on Monday"], "article_ids": ["dam-2"], "date": None}]}


def kit(root: Path, *articles: dict[str, Any]) -> Path:
    root.mkdir()
    with gzip.open(root / "corpus.jsonl.gz", "wt", encoding="utf-8") as corpus:
        corpus.writelines(json.dumps(a) + "\n" for a in articles)
    return root


def questions(root: Path, *records: dict[str, Any], stories: str | None = "Orlen Bay dam") -> Path:
    root.mkdir()
    (root / "questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    if stories:
        (root / "stories.json").write_text(json.dumps([{"name": "dam", "pattern": stories}]), encoding="utf-8")
    return root / "questions.jsonl"


def corpus_ids(out: Path) -> list[str]:
    return [json.loads(line)["id"] for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]


def test_the_set_gets_its_stories_and_distractors_of_the_same_weeks(tmp_path: Path) -> None:
    source, asked = kit(tmp_path / "kit", *ARCHIVE), questions(tmp_path / "set", QUESTION)
    report = build_descriptive_set(source, tmp_path / "out", asked, distractors=4)
    ids = corpus_ids(tmp_path / "out")
    assert {"dam-1", "dam-2"} <= set(ids) and len(ids) == 6
    # Not the story's other articles, nothing outside the weeks asked about, nothing empty.
    assert not {"dam-late", "dam-mention", "too-early", "empty"} & set(ids)
    assert (report.story_articles, report.distractors, report.first_day, report.last_day) == (
        2, 4, "2022-05-03", "2022-05-10")
    assert (tmp_path / "out" / "questions.jsonl").read_bytes() == asked.read_bytes()
    record = json.loads((tmp_path / "out" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert set(record) == {"id", "url", "title", "text", "published", "source"}
    data = load_kit(tmp_path / "out")
    assert data.kind == "descriptive" and data.size == 1
    again = build_descriptive_set(source, tmp_path / "again", asked, distractors=4)
    assert corpus_ids(tmp_path / "again") == ids and again.distractors == 4  # the same every run


def test_a_key_fact_not_written_in_its_articles_by_the_question_date_is_refused(tmp_path: Path) -> None:
    late = dict(QUESTION, key_facts=[{"fact": "An inquiry", "accept": ["inquiry into the"],
                                      "article_ids": ["dam-late"], "date": None}])
    with pytest.raises(UserInputError, match="question dam-overview, key fact 1 .*published by 2022-05-10"):
        build_descriptive_set(kit(tmp_path / "kit", *ARCHIVE), tmp_path / "out", questions(tmp_path / "set", late))
    assert not (tmp_path / "out").exists()


def test_a_set_over_another_archive_or_into_a_used_folder_is_refused(tmp_path: Path) -> None:
    asked = questions(tmp_path / "set", QUESTION)
    with pytest.raises(UserInputError, match="2 article.* not in .*the first: dam-1"):
        build_descriptive_set(kit(tmp_path / "kit", *ARCHIVE[4:]), tmp_path / "out", asked)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UserInputError, match="not an empty folder"):
        build_descriptive_set(tmp_path / "kit", tmp_path / "used", asked)


def test_the_command_prints_what_it_wrote(tmp_path: Path) -> None:
    asked = questions(tmp_path / "set", QUESTION, stories=None)
    result = CliRunner().invoke(app, ["kit", "descriptive", str(kit(tmp_path / "kit", *ARCHIVE)),
                                      "--out", str(tmp_path / "out"), "--questions", str(asked), "--distractors", "3"])
    assert result.exit_code == 0, result.output
    assert "wrote 1 questions and 5 articles (2 of their stories, 3 others" in result.stdout
    assert "newsdesk eval" in result.stdout


# -- the shipped dev set ------------------------------------------------------------------------


def test_the_dev_set_has_questions_of_every_shape_with_short_verbatim_key_facts() -> None:
    data = load_kit_questions()
    assert len(data) >= 40
    assert all(n >= 8 for n in Counter(q.shape for q in data).values()) and len(Counter(q.shape for q in data)) == 5
    for q in data:
        assert 2 <= len(q.key_facts) <= 6, q.id
        assert all(1 <= len(a.split()) <= 6 for f in q.key_facts for a in f.accept), q.id
        assert q.story_article_ids and all(set(f.article_ids) <= set(q.story_article_ids) for f in q.key_facts)
        if q.shape == "timeline":
            days = [f.date for f in q.key_facts]
            assert None not in days and days == sorted(days) and max(days) <= q.as_of


def load_kit_questions() -> list[Any]:
    from evals.descriptive import parse_descriptive_record
    from evals.gold import read_question_lines

    return read_question_lines(DEV_SET / "questions.jsonl", parse_descriptive_record)


@pytest.mark.skipif(not DEV_KIT.is_dir(), reason="the dev kit is not beside this checkout")
def test_the_dev_set_builds_over_the_dev_kit(tmp_path: Path) -> None:
    report = build_descriptive_set(DEV_KIT, tmp_path / "out")  # every key fact checked on the way
    assert report.questions >= 40 and report.story_articles + report.distractors <= 300
