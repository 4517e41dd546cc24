"""`newsdesk slack`: run the Slack bot. `newsdesk feedback export PATH`: 👍 answers as gold questions."""

from __future__ import annotations

import json
import logging
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot import messages
from bot.cli.common import DataDir, err, out, settings_for
from bot.errors import ConfigError

if TYPE_CHECKING:
    from types import FrameType

    from slack_bolt import App

    from bot.settings import SlackSettings


def slack(
    http: Annotated[bool, typer.Option("--http", help="Receive events over HTTP (Events API) instead of Socket Mode.")] = False,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="HTTP mode: port to listen on.")] = 3000,
    host: Annotated[str, typer.Option("--host", help="HTTP mode: interface to listen on.")] = "0.0.0.0",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every question and retry.")] = False,
    manifest: Annotated[bool, typer.Option("--manifest", help="Print the Slack app manifest (to paste at api.slack.com/apps) and exit.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Answer questions in Slack: @-mentions, direct messages, thread follow-ups and /news.

    Needs SLACK_BOT_TOKEN, and SLACK_APP_TOKEN for Socket Mode or SLACK_SIGNING_SECRET with --http.
    """
    if manifest:
        out.print(manifest_text(), markup=False, end="")
        return
    from bot.runtime import Runtime
    from bot.slack.app import create_app

    settings = settings_for(data_dir)
    _check(settings.slack, http)
    if verbose:
        logging.getLogger("bot").setLevel(logging.INFO)
    runtime = Runtime(settings)
    if runtime.store.counts()[0] == 0:
        err.print(messages.EMPTY_INDEX, markup=False)
    runtime.warm_up()  # load the models and indexes now, not on the first question
    app = create_app(settings, runtime.answerer)
    if http:
        assert settings.slack.signing_secret is not None  # checked by _check
        _serve_http(app, host, port, settings.slack.signing_secret.get_secret_value())
    else:
        _serve_socket_mode(app, settings.slack)


def manifest_text() -> str:
    """The Slack app manifest shipped in the package (bot/manifest.yaml)."""
    from importlib.resources import files

    return files("bot").joinpath("manifest.yaml").read_text(encoding="utf-8")


def _check(slack: SlackSettings, http: bool) -> None:
    if slack.bot_token is None:
        raise ConfigError(messages.SLACK_MISSING_BOT_TOKEN)
    if http and slack.signing_secret is None:
        raise ConfigError(messages.SLACK_MISSING_SIGNING_SECRET)
    if not http and slack.app_token is None:
        raise ConfigError(messages.SLACK_MISSING_APP_TOKEN)


def _serve_http(app: App, host: str, port: int, signing_secret: str) -> None:
    from bot.slack.server import create_http_server

    try:
        server = create_http_server(app, host, port, signing_secret=signing_secret)
    except OSError as exc:
        raise ConfigError(messages.SLACK_CANNOT_LISTEN.format(host=host, port=port, error=exc.strerror or exc)) from None

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return, so it cannot run on this (the serving) thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    err.print(messages.SLACK_LISTENING_HTTP.format(host=host, port=server.server_port), markup=False)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def _serve_socket_mode(app: App, slack: SlackSettings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    assert slack.app_token is not None  # checked by _check
    err.print(messages.SLACK_CONNECTING_SOCKET, markup=False)
    SocketModeHandler(app, slack.app_token.get_secret_value()).start()  # type: ignore[no-untyped-call]


feedback_app = typer.Typer(help="Feedback (👍/👎) collected by the Slack bot.", no_args_is_help=True)


@feedback_app.command("export")
def export(
    path: Annotated[Path, typer.Argument(help="JSONL file to write; `newsdesk eval PATH` reads it.", show_default=False)],
    data_dir: DataDir = None,
) -> None:
    """Write answers that got a 👍 (and no 👎) as gold questions for `newsdesk eval`."""
    from bot.slack.db import FILE_NAME, Database
    from bot.slack.feedback import FeedbackStore

    db_path = settings_for(data_dir).store.home / FILE_NAME
    records = FeedbackStore(Database(db_path)).gold_records() if db_path.exists() else []
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    partial.replace(path)
    if records:
        out.print(messages.FEEDBACK_EXPORTED.format(count=len(records), path=path), markup=False)
    else:
        out.print(messages.FEEDBACK_EMPTY.format(db=db_path, path=path), markup=False)


def register(app: typer.Typer) -> None:
    app.command("slack")(slack)
    app.add_typer(feedback_app, name="feedback")
