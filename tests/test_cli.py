"""The CLI end to end, in-process (typer's runner) with the shared model and a real store."""

from __future__ import annotations

import json
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
