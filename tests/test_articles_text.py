"""`newsdesk articles --text WORDS`: stored articles ranked by BM25 over their current text, with the
other filters, run as a user runs it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from bot.runtime import Runtime
from index.encoders.embedder import SentenceTransformerEmbedder
from tests.conftest import make_settings
from tests.test_articles_cli import newsdesk

RECORDS = [
    {"id": "harbour-many", "title": "Storm damage", "published": "2023-03-02", "source": "Coast Post",
     "text": "The harbour reopened after the storm. Ships entered the harbour at dawn, and the harbour "
             "master said the harbour wall had held."},
    {"id": "harbour-once", "title": "Council notes", "published": "2023-03-05", "source": "Town Crier",
     "text": "The council met on Monday. A member asked about the harbour; the budget was approved."},
    {"id": "trains", "title": "Rail news", "published": "2023-03-04", "source": "Coast Post",
     "text": "Trains to the coast run hourly again after the signal repairs were finished."},
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Path:
    """Three export articles, and a text file whose earlier version spoke of a zeppelin."""
    root = tmp_path_factory.mktemp("text")
    folder = root / "news"
    folder.mkdir()
    (folder / "export.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    airship = folder / "airship.txt"
    airship.write_text("Airfield news\n\nA zeppelin landed at the airfield on Sunday.\n")
    runtime = Runtime(make_settings(root / "home"), embedder=embedder)
    assert runtime.ingest([folder]).added == 4
    airship.write_text("Airfield news\n\nA balloon landed at the airfield on Sunday.\n")
    os.utime(airship, (time.time() + 86400 * 3,) * 2)
    assert runtime.ingest([folder]).versions_kept == 1
    runtime.close()
    return root / "home"


def ranked(home: Path, *args: str) -> list[dict[str, object]]:
    done = newsdesk("articles", "--json", *args, home=home)
    assert done.returncode == 0, done.stderr
    found: list[dict[str, object]] = json.loads(done.stdout)
    return found


def test_text_ranks_articles_by_bm25_with_the_score_in_json(home: Path) -> None:
    found = ranked(home, "--text", "harbour")
    assert [a["id"] for a in found] == ["harbour-many", "harbour-once"]
    scores = [float(str(a["score"])) for a in found]
    assert all(s > 0 for s in scores) and scores[0] > scores[1]
    either = ranked(home, "--text", "harbours trains")  # stemmed; any word matches
    assert {a["id"] for a in either} == {"harbour-many", "harbour-once", "trains"}
    plain = newsdesk("articles", "--text", "harbour", home=home)
    assert [line.split()[0] for line in plain.stdout.splitlines()] == ["harbour-many", "harbour-once"]


def test_text_keeps_the_other_filters_and_the_limit(home: Path) -> None:
    assert [a["id"] for a in ranked(home, "--text", "harbour", "--since", "2023-03-03")] == ["harbour-once"]
    assert {a["id"] for a in ranked(home, "--text", "harbour trains", "--source", "coast post")} == {
        "harbour-many", "trains"}
    assert [a["id"] for a in ranked(home, "--text", "harbour", "--limit", "1")] == ["harbour-many"]
    assert ranked(home, "--text", "harbour", "--title", "storm")[0]["id"] == "harbour-many"


def test_text_reads_only_the_current_version(home: Path) -> None:
    assert [a["title"] for a in ranked(home, "--text", "balloon")] == ["Airfield news"]
    done = newsdesk("articles", "--text", "zeppelin", home=home)
    assert (done.returncode, done.stdout) == (1, "")
    assert "No stored article matches these filters (4 in the archive)." in done.stderr


def test_text_without_words_is_one_clear_line(home: Path) -> None:
    done = newsdesk("articles", "--text", "  ", home=home)
    assert done.returncode == 2 and "--text needs words to look for" in done.stderr
    assert "Traceback" not in done.stderr
