"""What every command shares: options, the console, settings and the error boundary."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from bot import messages
from bot.cli.helptext import Group
from index.errors import NewsdeskError, UserInputError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType

    from bot.settings import Settings
    from ingest.progress import IngestProgress

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", metavar="DIR", help="Data directory (default: $NEWSDESK_HOME or ~/.local/share/newsdesk).",
                 show_default=False),
]
JsonFlag = Annotated[bool, typer.Option(
    "--json", help='Print JSON on stdout; a failure prints {"error": "..."} with the same exit code.')]
LockTimeout = Annotated[
    float | None,
    typer.Option("--lock-timeout", min=0, help="Seconds to wait while another process writes to the same data "
                 "directory (default: no limit; 0: fail at once).", show_default=False),
]
AllowHost = Annotated[
    list[str] | None,
    typer.Option("--allow-host", metavar="HOST", help="Fetch from HOST though it is not a public address "
                 "(loopback, private...): a name, an address or a network such as 10.0.0.0/8; repeat for "
                 "more. Adds to $NEWSDESK_INGEST_ALLOW_HOSTS.", show_default=False),
]

# LLM answer mode (docs/llm.md). Flags override NEWSDESK_LLM_* for this run.
_LLM_PANEL = "LLM mode (opt-in)"
LLMBaseUrl = Annotated[
    str | None,
    typer.Option("--llm-base-url", metavar="URL", help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 "
                 "(default: $NEWSDESK_LLM_BASE_URL).", show_default=False, rich_help_panel=_LLM_PANEL),
]
LLMModel = Annotated[
    str | None,
    typer.Option("--llm-model", metavar="MODEL", help="Model name at that endpoint (default: $NEWSDESK_LLM_MODEL).",
                 show_default=False, rich_help_panel=_LLM_PANEL),
]
LLMApiKey = Annotated[
    str | None,
    typer.Option("--llm-api-key", metavar="KEY", help="API key, if the endpoint needs one; prefer $NEWSDESK_LLM_API_KEY "
                 "(flags end up in shell history).", show_default=False, rich_help_panel=_LLM_PANEL),
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def settings_for(data_dir: Path | None) -> Settings:
    from bot.settings import load_settings  # pydantic-settings: not needed for --help

    return load_settings(home=data_dir.expanduser() if data_dir else None)


def allowing_hosts(settings: Settings, hosts: list[str] | None) -> None:
    """Adds the --allow-host values to the hosts the ingest may fetch from."""
    if not hosts:
        return
    from ingest.addresses import AllowList

    try:
        AllowList.parse(hosts)
    except ValueError as exc:
        raise UserInputError(messages.ALLOW_HOST_INVALID.format(reason=exc)) from None
    allowed = (*settings.ingest.allow_hosts, *hosts)
    settings.ingest = settings.ingest.model_copy(update={"allow_hosts": allowed})


def with_llm(settings: Settings, base_url: str | None, model: str | None, api_key: str | None) -> Settings:
    """Settings with the --llm-* flags applied; LLM mode needs both a base URL and a model."""
    from pydantic import SecretStr

    from bot.llm.client import check_llm_settings

    updates: dict[str, object] = {}
    if base_url and base_url.strip():
        updates["base_url"] = base_url.strip()
    if model and model.strip():
        updates["model"] = model.strip()
    if api_key and api_key.strip():
        updates["api_key"] = SecretStr(api_key.strip())
    llm = settings.llm.model_copy(update=updates)
    check_llm_settings(llm)
    return settings.model_copy(update={"llm": llm})


def parse_as_of(value: str | None) -> date:
    return parse_date(value) if value else date.today()


def parse_date(value: str) -> date:
    """A YYYY-MM-DD option value, or one clear line."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserInputError(messages.BAD_DATE.format(value=value)) from None


@contextmanager
def interrupted_means(message: str, keep: Callable[[KeyboardInterrupt], None] | None = None) -> Iterator[None]:
    """Ctrl-C or SIGTERM inside the block calls `keep` with the interrupt (to print what was
    kept), prints `message` (what was kept, how to go on) and exits 130 (143 after SIGTERM)."""
    with terminate_as_interrupt() as signals:
        try:
            yield
        except KeyboardInterrupt as exc:
            if keep is not None:
                keep(exc)
            err.print(message, markup=False)
            raise typer.Exit(interrupted_exit_code(signals)) from None


@contextmanager
def terminate_as_interrupt() -> Iterator[list[int]]:
    """SIGTERM (`kill`, `systemctl stop`, `docker stop`) inside the block stops it as Ctrl-C does,
    raising KeyboardInterrupt where the program is; the list yielded collects the signals met."""
    met: list[int] = []

    def interrupt(signum: int, frame: FrameType | None) -> None:
        met.append(signum)
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():  # only the main thread has signals
        yield met
        return
    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield met
    finally:
        signal.signal(signal.SIGTERM, before)


def interrupted_exit_code(signals: list[int]) -> int:
    """128 + the signal, as shells report it: 143 after SIGTERM, else 130 (Ctrl-C)."""
    return 128 + (signals[-1] if signals else signal.SIGINT)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


# -- JSON mode: a command run with --json prints JSON on stdout, whatever happens ---------------------

STDOUT = "-"  # the PATH of an option that writes JSON (`eval --json PATH`) meaning stdout
_json_requested: ContextVar[bool] = ContextVar("newsdesk_json_requested", default=False)


def json_mode() -> bool:
    """Whether the running command was asked for JSON on stdout (see `JsonAwareGroup`)."""
    return _json_requested.get()


def fail(message: str, code: int = 1, **details: Any) -> NoReturn:
    """Exit `code` with `message` on stderr; in JSON mode also `{"error": message, **details}` on stdout."""
    err.print(message, markup=False)
    if json_mode():
        print_json({"error": message, **details})
    raise typer.Exit(code)


def wants_json(command: Any, args: Sequence[str]) -> bool:
    """Whether `args` ask `command` for JSON on stdout: its `--json` flag, or `--json -` where
    `--json` takes a PATH. Read from the words given, so that a usage error is JSON too. For a
    group of commands (`newsdesk kit realtimeqa ...`), the command named next decides."""
    if isinstance(command, TyperGroup):
        named = [i for i, arg in enumerate(args) if not arg.startswith("-")][:1]
        sub = command.commands.get(args[named[0]]) if named else None
        return sub is not None and wants_json(sub, args[named[0] + 1:])
    option = next((p for p in command.params if "--json" in getattr(p, "opts", ())), None)
    if option is None:
        return False
    flag = bool(getattr(option, "is_flag", False))
    for i, arg in enumerate(args):
        if arg == "--":  # the end of the options
            break
        if (arg == "--json" and (flag or list(args[i + 1:i + 2]) == [STDOUT])) or (
                not flag and arg == f"--json={STDOUT}"):
            return True
    return False


class JsonAwareGroup(Group):
    """The root command. Notes whether the command asked for JSON (`wants_json`); in JSON mode a
    failure (a domain error, a usage error, Ctrl-C) also prints `{"error": "..."}` on stdout, then
    goes on as without --json: the same line on stderr (`main.run`), the same exit code."""

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        _json_requested.set(command is not None and wants_json(command, rest))
        return name, command, rest

    def invoke(self, ctx: Any) -> Any:
        outer = _json_requested.set(False)
        try:
            return super().invoke(ctx)
        except (NewsdeskError, typer.TyperException, KeyboardInterrupt) as exc:
            if json_mode():
                message = (str(exc) if isinstance(exc, NewsdeskError) else
                           exc.format_message() if isinstance(exc, typer.TyperException) else messages.INTERRUPTED)
                print_json({"error": message})
            raise
        finally:
            _json_requested.reset(outer)


class RichProgress:
    """One progress bar per phase (asking; each stage of an ingest) on a terminal; silent when
    stderr is not one.

    `grow` raises the total while the work is still being discovered (ingest reads files while it
    embeds), so no time-left estimate is shown.
    """

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        from bot.cli.progress import CountColumn

        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), CountColumn(), TimeElapsedColumn(),
            console=err, transient=True, disable=not err.is_terminal,
        )
        self.task: Any = None
        self.stages: dict[str, Any] = {}  # an ingest's stages (ingest.progress), a bar each

    def start(self, total: int, description: str) -> None:
        self.bar.start()
        for task in [self.task, *self.stages.values()]:
            if task is not None:
                self.bar.remove_task(task)
        self.stages.clear()
        self.task = self.bar.add_task(description, total=total)

    def grow(self, more: int) -> None:
        if self.task is not None and more:
            self.bar.update(self.task, total=(self.bar.tasks[self.task].total or 0) + more)

    def advance(self, done: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, done)

    def update(self, state: IngestProgress) -> None:
        """An ingest's stages as they move (ingest.progress.Progress); each bar says its count."""
        from bot.cli.progress import stages

        self.bar.start()
        for stage in stages(state):
            if stage.key not in self.stages:
                self.stages[stage.key] = self.bar.add_task(stage.said, total=stage.total, said=True)
            self.bar.update(self.stages[stage.key], description=stage.said, completed=stage.done,
                            total=stage.total)

    def stop(self) -> None:
        self.bar.stop()
