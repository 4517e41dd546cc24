"""`newsdesk`: the root command. Heavy libraries are imported inside commands, never here."""

from __future__ import annotations

import logging
import sys

import typer

from bot.cli import (
    article_cmd,
    articles_cmd,
    ask_cmd,
    eval_cmd,
    forget_cmd,
    ingest_cmd,
    kit_cmd,
    slack_cmd,
    train_cmd,
    watch_cmd,
)
from bot.cli.common import JsonAwareGroup
from bot.cli.helptext import MAX_WIDTH, use_plain_help

app = typer.Typer(
    name="newsdesk",
    cls=JsonAwareGroup,
    help="Question answering over news archives, with verbatim, verified citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"max_content_width": MAX_WIDTH},
)
app.command("ingest")(ingest_cmd.ingest)
watch_cmd.register(app)
app.command("ask")(ask_cmd.ask)
app.command("article")(article_cmd.article)
app.command("articles")(articles_cmd.articles)
app.command("forget")(forget_cmd.forget)
app.command("eval")(eval_cmd.eval_)
app.command("train-ranker")(train_cmd.train_ranker)
kit_cmd.register(app)
slack_cmd.register(app)
use_plain_help(app)  # after every command is registered


def run() -> None:
    """Console entry point: domain errors become one line on stderr and exit code 2.
    (Ctrl-C is typer's: exit 130; long commands say what was kept with `interrupted_means`.)"""
    from index.errors import NewsdeskError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app(prog_name="newsdesk")  # also when run as `python -m bot.cli`
    except NewsdeskError as exc:
        from bot.cli.common import err

        err.print(f"[bold red]error:[/bold red] {exc}", markup=True, highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    run()
