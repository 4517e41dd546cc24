"""`newsdesk --help` and every `newsdesk CMD --help` read as written: no type placeholders
(`<bool>`, `<str>`, `{SOURCE}...`), and each paragraph of a command's help flows as one text,
never broken where its source line happened to end."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from bot.cli.main import app

PLACEHOLDER = re.compile(r"<[a-z][a-zA-Z\[\]| ]*>|\{[A-Za-z|.]+\}")


def commands() -> Iterator[tuple[list[str], object]]:
    """Every command path (the root's is []) with its click command."""
    def walk(path: list[str], command: object) -> Iterator[tuple[list[str], object]]:
        yield path, command
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                yield from walk([*path, name], sub)

    yield from walk([], typer.main.get_command(app))


PATHS = [path for path, _ in commands()]


def help_of(path: list[str], width: int) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=width)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "newsdesk")
def test_help_shows_no_type_placeholders(path: list[str]) -> None:
    shown = help_of(path, 80)
    assert not PLACEHOLDER.findall(shown), shown
    assert "--help" in shown and "Usage:" in shown


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "newsdesk")
def test_each_paragraph_of_help_is_one_flowing_text(path: list[str]) -> None:
    command = next(c for p, c in commands() if p == path)
    text = inspect.cleandoc(getattr(command, "help", None) or "")
    shown = help_of(path, 1000)  # wide enough for any paragraph on one line
    lines = [" ".join(line.split()) for line in shown.splitlines()]
    for paragraph in filter(None, text.split("\n\n")):
        assert " ".join(paragraph.split()) in lines, (paragraph, shown)


def test_options_show_what_they_take() -> None:
    shown = help_of(["ingest"], 100)
    assert re.search(r"Usage: \S+ ingest \[OPTIONS\] \[?SOURCE\.\.\.\]?", shown)
    assert re.search(r"--batch-size N\b", shown) and re.search(r"--data-dir DIR\b", shown)
    assert re.search(r"--json +Print JSON", shown)  # a flag takes nothing
    assert re.search(r"Usage: \S+ ask \[OPTIONS\] QUESTION\b", help_of(["ask"], 100))
    assert re.search(r"Usage: \S+ eval \[OPTIONS\] \[DATASET\]", help_of(["eval"], 100))
