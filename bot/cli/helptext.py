"""How `newsdesk --help` and `newsdesk CMD --help` read: the usage line as click writes it
(`SOURCE...`, `[DATASET]`), the help text with each paragraph flowing whatever the line breaks of
its docstring, and a list per panel of what each argument and option takes (a metavar such as
PATH, N or DATE; nothing for a flag).

Typer's own rich help shows its types instead (`<bool>`, `<list[str]>`, `{SOURCE}...`) and keeps
every line break of a docstring; these classes replace only the help, not parsing or errors.
`use_plain_help` gives them to every command of an app.
"""

from __future__ import annotations

import inspect
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup
from typer.models import DefaultPlaceholder

# What an option of each type takes, when it names nothing itself (`metavar=`).
_TAKES: dict[object, str] = {int: "N", float: "NUMBER", str: "TEXT", Path: "PATH"}
_ARGUMENTS, _OPTIONS, _COMMANDS = "Arguments", "Options", "Commands"
# Help text paragraphs wider than this are wrapped (a wider terminal still gets this width).
MAX_WIDTH = 100


class Command(TyperCommand):
    """A command whose help reads as written (see the module)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [self.options_metavar or "", *(_usage(p) for p in self.get_params(ctx) if _is_argument(p))]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        _write_params(self.get_params(ctx), ctx, formatter)
        self.format_epilog(ctx, formatter)


class Group(TyperGroup):
    """A group of commands whose help reads as written, listing each command's first paragraph whole."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [self.options_metavar or "", self.subcommand_metavar or ""]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        _write_params(self.get_params(ctx), ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.short_help or first_paragraph(command.help or "")))
        if rows:
            with formatter.section(_COMMANDS):
                formatter.write_dl(rows)
        self.format_epilog(ctx, formatter)


def use_plain_help(app: typer.Typer) -> None:
    """Every command of `app` and of the apps added to it gets `Command` or `Group` help (unless
    it asked for a class of its own)."""
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):
            command.cls = Command
    for group in app.registered_groups:
        sub = group.typer_instance
        if sub is None:
            continue
        if sub.info.cls in (None, TyperGroup) or isinstance(sub.info.cls, DefaultPlaceholder):
            sub.info.cls = Group
        use_plain_help(sub)


def first_paragraph(text: str) -> str:
    return " ".join(inspect.cleandoc(text).split("\n\n")[0].split())


def _write_params(params: list[Any], ctx: Any, formatter: Any) -> None:
    panels: dict[str, list[tuple[str, str]]] = {_ARGUMENTS: [], _OPTIONS: []}
    for param in params:
        if getattr(param, "hidden", False):
            continue
        default = _ARGUMENTS if _is_argument(param) else _OPTIONS
        panels.setdefault(getattr(param, "rich_help_panel", None) or default, []).append(
            (_name(param), _help(param)))
    for title, rows in panels.items():
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)


def _is_argument(param: Any) -> bool:
    return isinstance(param, TyperArgument)


def _takes(param: Any) -> str:
    """What the user writes for `param`: its metavar, else its choices, else a word for its type."""
    if param.metavar:
        return str(param.metavar)
    described = param.type_descriptor
    if described.is_choice and described.choices:
        return "|".join(str(c.value if isinstance(c, Enum) else c) for c in described.choices)
    annotation = described.annotation
    if described.is_list:
        annotation = getattr(annotation, "__args__", (str,))[0]
    return _TAKES.get(annotation, str(param.name or "value").upper())


def _usage(argument: Any) -> str:
    name = str(argument.metavar or str(argument.name).upper())
    if argument.nargs != 1 and not name.endswith("..."):
        name += "..."
    return name if argument.required else f"[{name}]"


def _name(param: Any) -> str:
    if _is_argument(param):
        return _usage(param).strip("[]")
    opts = sorted(param.opts, key=lambda o: o.startswith("--")) + list(param.secondary_opts)
    shown = ", ".join(opts)
    return shown if param.is_flag else f"{shown} {_takes(param)}"


def _help(param: Any) -> str:
    text = " ".join(inspect.cleandoc(param.help or "").split())
    extra = []
    default = param.default.value if isinstance(param.default, Enum) else param.default
    if not _is_argument(param) and param.show_default and not param.is_flag and default not in (None, "", [], ()):
        extra.append(f"default: {default}")
    if param.required and not _is_argument(param):
        extra.append("required")
    return f"{text}  [{'; '.join(extra)}]" if extra else text
