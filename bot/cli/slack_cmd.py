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

    from bot.live import LiveAnswerer
    from bot.runtime import Runtime
    from bot.settings import Settings, SlackSettings
    from bot.watch import Run
    from ingest.files import Source

log = logging.getLogger(__name__)


def slack(
    http: Annotated[bool, typer.Option("--http", help="Receive events over HTTP (Events API) instead of Socket Mode.")] = False,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="HTTP mode: port to listen on.")] = 3000,
    host: Annotated[str, typer.Option("--host", help="HTTP mode: interface to listen on.")] = "0.0.0.0",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every question and retry.")] = False,
    manifest: Annotated[bool, typer.Option("--manifest", help="Print the Slack app manifest (to paste at api.slack.com/apps) and exit.")] = False,
    watch: Annotated[list[str] | None, typer.Option("--watch", metavar="SOURCE", help="Re-index SOURCE (what `newsdesk ingest` takes) in the background every --every; repeat for more sources.", show_default=False)] = None,
    every: Annotated[str, typer.Option("--every", help="With --watch: time between the starts of two runs (90s, 15m, 2h, 1d).")] = "15m",
    data_dir: DataDir = None,
) -> None:
    """Answer questions in Slack: @-mentions, direct messages, thread follow-ups and /news.

    Needs SLACK_BOT_TOKEN, and SLACK_APP_TOKEN for Socket Mode or SLACK_SIGNING_SECRET with --http.
    Articles that other processes ingest are answered from within NEWSDESK_REFRESH_SECONDS (5 s)
    plus a refresh, without a restart.
    """
    if manifest:
        out.print(manifest_text(), markup=False, end="")
        return
    from bot.live import LiveAnswerer
    from bot.runtime import Runtime
    from bot.slack.app import create_app
    from index.lock import writer_check

    settings = settings_for(data_dir)
    _check(settings.slack, http)
    background = _watcher(settings, watch or [], every)  # a bad --watch or --every stops it here
    if verbose:
        logging.getLogger("bot").setLevel(logging.INFO)
    runtime = Runtime(settings)
    if runtime.store.counts()[0] == 0 and not watch:
        err.print(messages.EMPTY_INDEX, markup=False)
    runtime.warm_up()  # load the models and indexes now, not on the first question
    live = LiveAnswerer(runtime, check_every=settings.store.refresh_seconds, writing=writer_check(settings.store))
    live.start()
    app = create_app(settings, live)
    if background is not None:
        background.start(runtime, live)
    try:
        if http:
            assert settings.slack.signing_secret is not None  # checked by _check
            _serve_http(app, host, port, settings.slack.signing_secret.get_secret_value())
        else:
            _serve_socket_mode(app, settings.slack)
    finally:
        if background is not None:
            background.stop()  # a run in progress stores what it encoded, then ends
        live.close()


class _Background:
    """`--watch`: scheduled ingest runs in a thread of the bot; after each, answers come from it."""

    def __init__(self, sources: list[Source], every: float, label: str, settings: Settings) -> None:
        self.sources = sources
        self.every = every
        self.label = label
        self.settings = settings
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, runtime: Runtime, live: LiveAnswerer) -> None:
        from bot.runtime import Runtime
        from bot.watch import Watcher

        base = Runtime(self.settings, embedder=runtime.embedder)  # shares the loaded model
        watcher = Watcher(base, self.sources, self.every, lock_timeout=self.settings.ingest.lock_timeout,
                          on_run=lambda run: self._ran(run, live), stop=self.stopping)
        self.thread = threading.Thread(target=watcher.run, name="newsdesk-watch", daemon=True)
        self.thread.start()
        err.print(messages.SLACK_WATCHING.format(count=len(self.sources), every=self.label), markup=False)

    def _ran(self, run: Run, live: LiveAnswerer) -> None:
        from bot.cli.ingest_cmd import summary

        at = run.started.strftime("%Y-%m-%d %H:%M:%S")
        if run.report is None:
            err.print(messages.WATCH_RUN_NOT_DONE.format(number=run.number, at=at, error=run.error), markup=False)
            return
        err.print(messages.WATCH_RUN.format(number=run.number, at=at, summary=summary(run.report)), markup=False)
        for failure in run.report.failed:
            log.warning("run %d: %s: %s", run.number, failure.path, failure.error)
        if run.report.added or run.report.updated or run.report.removed:
            try:
                live.refresh()  # answer from the new articles now, not at the next check
            except Exception:  # noqa: BLE001 - the watcher's next check tries again
                log.exception("refreshing after run %d failed", run.number)

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join()


def _watcher(settings: Settings, watch: list[str], every: str) -> _Background | None:
    if not watch:
        return None
    from bot.watch import parse_interval
    from ingest.files import as_sources, check_paths

    interval = parse_interval(every)
    sources = as_sources(watch)
    check_paths(sources)
    return _Background(sources, interval, every, settings)


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
