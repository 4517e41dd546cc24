"""`newsdesk articles` and `newsdesk article PATH`, run as a user runs them (`python -m bot.cli`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.runtime import Runtime
from index.encoders.embedder import SentenceTransformerEmbedder
from tests.conftest import REPO, SEED_FILE, ingest_into, make_settings

WIRE = [
    {"id": f"wire-{n}", "title": f"Wire story {n}", "text": f"Wire story number {n} says the port reopened.",
     "published": f"2022-02-0{n}", "url": f"https://example.org/wire/{n}", "source": "Example Wire"}
    for n in (1, 2, 3)
]


def newsdesk(*args: str, home: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args, "--data-dir", str(home)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120,
    )


@pytest.fixture(scope="module")
def export_home(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> tuple[Path, Path]:
    """The seed article plus a three-article JSONL export, with the real model."""
    root = tmp_path_factory.mktemp("export")
    folder = root / "news"
    folder.mkdir()
    (folder / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in WIRE))
    (folder / SEED_FILE.name).write_text(SEED_FILE.read_text())
    home = root / "home"
    report = ingest_into(Runtime(make_settings(home), embedder=embedder), folder)
    assert not report.failed
    return home, folder


def test_articles_lists_ids_dates_sources_and_titles(seeded_home: Path) -> None:
    done = newsdesk("articles", home=seeded_home)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    article_id, published, source, title = line.split(maxsplit=3)
    assert (published, source, title) == ("2022-01-06", "seeds", "Kazakhstan: CSTO troops to quell protests")
    shown = newsdesk("article", article_id, "--json", home=seeded_home)
    assert json.loads(shown.stdout)["path"] == str(SEED_FILE)


def test_articles_json_has_metadata_and_no_text(seeded_home: Path) -> None:
    done = newsdesk("articles", "--json", home=seeded_home)
    assert done.returncode == 0, done.stderr
    (item,) = json.loads(done.stdout)
    assert set(item) == {"id", "title", "published", "url", "source", "path", "chunks"}
    assert item["published"] == "2022-01-06" and item["path"] == str(SEED_FILE) and item["chunks"] >= 1


def test_articles_filters(seeded_home: Path) -> None:
    matching = [
        ["--since", "2022-01-06", "--until", "2022-01-06"], ["--source", "SEEDS"],
        ["--title", "csto KAZAKHSTAN"], ["--path", f"seeds/{SEED_FILE.name}"],
    ]
    for filters in matching:
        done = newsdesk("articles", "--json", *filters, home=seeded_home)
        assert done.returncode == 0, (filters, done.stderr)
        assert len(json.loads(done.stdout)) == 1, filters
    for filters in (["--since", "2022-01-07"], ["--until", "2022-01-05"], ["--title", "csto zebra"],
                    ["--source", "reuters"], ["--path", "elsewhere/"]):
        done = newsdesk("articles", *filters, home=seeded_home)
        assert (done.returncode, done.stdout) == (1, ""), filters
        assert "No stored article matches these filters (1 in the archive)." in done.stderr
    as_json = newsdesk("articles", "--json", "--title", "zebra", home=seeded_home)
    assert as_json.returncode == 1 and json.loads(as_json.stdout) == []


def test_articles_bad_dates_get_one_clear_line(seeded_home: Path) -> None:
    for args, message in (
        (["--since", "06/01/2022"], "'06/01/2022' is not a date"),
        (["--until", "2022-02-30"], "'2022-02-30' is not a date"),
        (["--since", "2022-02-01", "--until", "2022-01-01"], "--since 2022-02-01 is after --until 2022-01-01"),
    ):
        done = newsdesk("articles", *args, home=seeded_home)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_articles_of_an_empty_archive(tmp_path: Path) -> None:
    done = newsdesk("articles", home=tmp_path / "home")
    assert (done.returncode, done.stdout) == (1, "")
    assert "The archive is empty." in done.stderr


def test_articles_limit_says_how_many_more_matched(export_home: tuple[Path, Path]) -> None:
    home, _ = export_home
    done = newsdesk("articles", "--limit", "2", home=home)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["wire-3", "wire-2"]
    assert "showing 2 of 4; use --limit" in done.stderr
    everything = newsdesk("articles", "--limit", "0", home=home)
    assert len(everything.stdout.splitlines()) == 4 and "showing" not in everything.stderr
    wire = newsdesk("articles", "--json", "--source", "example wire", "--since", "2022-02-02", home=home)
    assert [a["id"] for a in json.loads(wire.stdout)] == ["wire-3", "wire-2"]


def test_article_by_the_path_of_its_file(seeded_home: Path) -> None:
    by_id = json.loads(newsdesk("articles", "--json", home=seeded_home).stdout)[0]["id"]
    relative = SEED_FILE.relative_to(REPO).as_posix()
    for given, cwd in ((relative, REPO), (str(SEED_FILE), REPO), (SEED_FILE.name, SEED_FILE.parent)):
        done = newsdesk("article", given, "--json", home=seeded_home, cwd=cwd)
        assert done.returncode == 0, (given, done.stderr)
        assert json.loads(done.stdout)["id"] == by_id
    text = newsdesk("article", relative, home=seeded_home)
    assert text.returncode == 0 and f"id {by_id}" in text.stdout


def test_article_path_of_an_export_lists_its_articles(export_home: tuple[Path, Path]) -> None:
    home, folder = export_home
    done = newsdesk("article", "wire.jsonl", home=home, cwd=folder)
    assert (done.returncode, done.stdout) == (1, "")
    assert "holds 3 stored articles; show one with `newsdesk article ID`" in done.stderr
    assert [line.split()[0] for line in done.stderr.splitlines()[1:]] == ["wire-3", "wire-2", "wire-1"]
    assert "Wire story 2" in done.stderr


def test_article_unknown_path_or_id_says_how_to_find_ids(seeded_home: Path) -> None:
    for given, message in (("seeds/missing.txt", f"No stored article came from {REPO / 'seeds' / 'missing.txt'}"),
                           (str(REPO / "README.md"), "No stored article came from"),
                           ("nope", "No article with id 'nope'")):
        done = newsdesk("article", given, home=seeded_home)
        assert done.returncode == 2, (given, done.stderr)
        assert message in done.stderr and "newsdesk articles" in done.stderr
        assert "Traceback" not in done.stderr
