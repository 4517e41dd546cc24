"""What every command shares: options, the console, settings and the error boundary."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from bot import messages
from index.errors import UserInputError
from index.settings import Settings, load_settings

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: $NEWSDESK_HOME or ~/.local/share/newsdesk).",
                 show_default=False),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def settings_for(data_dir: Path | None) -> Settings:
    return load_settings(home=data_dir.expanduser() if data_dir else None)


def parse_as_of(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserInputError(messages.BAD_DATE.format(value=value)) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
