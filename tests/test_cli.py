"""The CLI end to end, in-process (typer's runner) with the shared model and a real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app
from tests.conftest import SEEDS

runner = CliRunner()


def invoke(*args: str, home: Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--data-dir", str(home)], catch_exceptions=False)


def test_almaty_end_to_end(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = invoke("ingest", str(SEEDS), "--json", home=home)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["added"] == 1

    asked = invoke("ask", "--json", "When did protests reach Almaty?", home=home)
    assert asked.exit_code == 0, asked.output
    answer = json.loads(asked.stdout)
    assert answer["abstained"] is False
    quote = next(c for c in answer["citations"] if "Two days later, the protests engulfed Almaty" in c["quote"])

    shown = invoke("article", quote["article_id"], "--json", home=home)
    article = json.loads(shown.stdout)
    assert article["text"][quote["start"] : quote["end"]] == quote["quote"]

    again = json.loads(invoke("ingest", str(SEEDS), "--json", home=home).stdout)
    assert (again["added"], again["chunks_added"], again["embedded"], again["unchanged"]) == (0, 0, 0, 1)


def test_user_mistakes_get_one_clear_line(seeded_home: Path) -> None:
    cases = [
        (["ask", ""], "question is empty"),
        (["ask", "x" * 5000], "characters long"),
        (["ask", "When?", "--as-of", "06/01/2022"], "is not a date"),
        (["article", "nope"], "No article with id 'nope'"),
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    for args, message in cases:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *args, "--data-dir", str(seeded_home)],
            capture_output=True, text=True, env=env, timeout=120,
        )
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr
        assert "Traceback" not in done.stderr


def test_ingest_of_a_mixed_directory_exits_non_zero_with_a_summary(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("Good\nA good article about the weather.")
    (folder / "empty.txt").write_bytes(b"")
    result = invoke("ingest", str(folder), home=tmp_path / "home")
    assert result.exit_code == 1
    assert "empty.txt: file is empty" in result.stderr
    assert "added 1, updated 0, unchanged 0, removed 0, failed 1" in result.stdout


def test_unanswerable_question_abstains(seeded_home: Path) -> None:
    result = invoke("ask", "--json", "Who won the 2018 football World Cup final in Moscow?", home=seeded_home)
    answer = json.loads(result.stdout)
    assert answer["abstained"] is True and answer["answer"] is None and answer["citations"] == []
