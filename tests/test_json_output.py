"""`--json` means JSON on stdout, always: results, an empty archive, a user's mistake, a usage error.
A failure is `{"error": "<the line stderr shows>"}` with the same non-zero exit code as without --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from bot import messages
from bot.cli.main import app
from bot.runtime import Runtime
from index.encoders.embedder import SentenceTransformerEmbedder
from tests.conftest import REPO, SEEDS, ingest_into, make_settings

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def stdout_json(result: Any) -> Any:
    assert result.stdout.strip(), f"nothing on stdout (stderr: {result.stderr})"
    return json.loads(result.stdout)


def test_articles_on_an_empty_archive_prints_an_empty_list(tmp_path: Path) -> None:
    result = invoke("articles", "--json", "--data-dir", str(tmp_path / "home"))
    assert result.exit_code == 1
    assert stdout_json(result) == []
    assert messages.EMPTY_INDEX in result.stderr


def test_ask_on_an_empty_archive_prints_an_error_object(tmp_path: Path) -> None:
    result = invoke("ask", "--json", "When did protests reach Almaty?", "--data-dir", str(tmp_path / "home"))
    assert result.exit_code == 1
    assert stdout_json(result) == {"error": messages.EMPTY_INDEX}
    assert messages.EMPTY_INDEX in result.stderr


def test_article_naming_an_export_of_several_lists_them_as_json(
        tmp_path: Path, embedder: SentenceTransformerEmbedder) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    export = folder / "wire.jsonl"
    export.write_text("".join(json.dumps({"id": f"w{n}", "title": f"Wire {n}", "text": f"Story {n}: the port reopened.",
                                          "published": f"2022-02-0{n}"}) + "\n" for n in (1, 2)))
    home = tmp_path / "home"
    ingest_into(Runtime(make_settings(home), embedder=embedder), folder)
    result = invoke("article", str(export), "--json", "--data-dir", str(home))
    assert result.exit_code == 1
    shown = stdout_json(result)
    assert shown["error"] == messages.ARTICLE_PATH_HOLDS_MANY.format(path=export.resolve(), count=2).rstrip(":")
    assert [a["id"] for a in shown["articles"]] == ["w2", "w1"]


# A user's mistake for every command that takes --json; a new such command needs a case here.
# (forget and kit are on other branches of issue 21: their cases wait for them.)
MISTAKES: dict[str, list[str]] = {
    "ingest": ["ingest", "no/such/folder", "--json"],
    "watch": ["watch", str(SEEDS), "--every", "soon", "--json"],
    "ask": ["ask", "", "--json"],
    "articles": ["articles", "--since", "06/01/2022", "--json"],
    "article": ["article", "no-such-id", "--json"],
    "eval": ["eval", "no/such/gold.jsonl", "--json", "-"],
    "forget": ["forget", "some-id", "--lock-timeout", "-1", "--json"],
    "kit realtimeqa": ["kit", "realtimeqa", "no/such/clone", "--out", "kit", "--from", "2023-13-01", "--json"],
    "kit descriptive": ["kit", "descriptive", "no/such/kit", "--out", "set", "--json"],
    "kit unanswerable": ["kit", "unanswerable", "no/such/kit", "--out", "set", "--json"],
}
USAGE_ERRORS = [
    ["articles", "--json", "--no-such-option"],
    ["ask", "--json"],  # no question
    ["articles", "--limit", "many", "--json"],
    ["eval", "--json", "-", "--limit", "0"],
]


def commands_with_json() -> set[str]:
    """Every command (`kit realtimeqa` for one in a group) with a --json option."""
    def walk(prefix: str, command: Any) -> Iterator[str]:
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                yield from walk(f"{prefix} {name}".strip(), sub)
        elif any("--json" in getattr(p, "opts", ()) for p in command.params):
            yield prefix

    return set(walk("", typer.main.get_command(app)))


COMMANDS_WITH_JSON = sorted(commands_with_json())


def test_every_command_with_json_has_a_mistake_case() -> None:
    assert set(COMMANDS_WITH_JSON) <= set(MISTAKES)
    assert {"ingest", "watch", "ask", "articles", "article", "eval"} <= set(COMMANDS_WITH_JSON)


@pytest.mark.parametrize("command", COMMANDS_WITH_JSON)
def test_a_mistake_under_json_prints_an_error_object(command: str, seeded_home: Path) -> None:
    result = invoke(*MISTAKES[command], "--data-dir", str(seeded_home))
    assert result.exit_code != 0
    shown = stdout_json(result)
    assert list(shown) == ["error"] and shown["error"]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=" ".join)
def test_a_usage_error_under_json_prints_an_error_object(args: list[str], tmp_path: Path) -> None:
    result = invoke(*args, "--data-dir", str(tmp_path))
    assert result.exit_code == 2
    shown = stdout_json(result)
    assert list(shown) == ["error"] and shown["error"]
    assert "Usage:" in result.stderr  # ... and the usage stays on stderr


def test_eval_writes_its_report_to_stdout_with_json_dash(tmp_path: Path) -> None:
    result = invoke("eval", "--limit", "1", "--json", "-", "--data-dir", str(tmp_path / "home"))
    assert result.exit_code == 0, result.stderr
    report = stdout_json(result)
    assert report["dataset"]["asked"] == 1 and "metrics" in report


def test_as_the_user_runs_it_the_error_object_comes_with_one_line_and_exit_2(seeded_home: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "", "--json", "--data-dir", str(seeded_home)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.returncode == 2
    assert json.loads(done.stdout) == {"error": messages.EMPTY_QUESTION}
    assert done.stderr.strip() == f"error: {messages.EMPTY_QUESTION}"
