"""`newsdesk watch SOURCE... --every 15m`: re-index the same sources on a schedule (bot/watch.py)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from bot import messages
from bot.cli.common import (
    AllowHost,
    DataDir,
    JsonFlag,
    allowing_hosts,
    err,
    interrupted_exit_code,
    settings_for,
    terminate_as_interrupt,
)

if TYPE_CHECKING:
    from bot.watch import Run, Watcher


def watch(
    sources: Annotated[list[str], typer.Argument(metavar="SOURCE", help="What `newsdesk ingest` takes: files, folders, feed, sitemap and WARC files, http(s) URLs of feeds, sitemaps and web pages.", show_default=False)],
    every: Annotated[str, typer.Option("--every", help="Time between the starts of two runs: 90s, 15m, 2h, 1d.")] = "15m",
    runs: Annotated[int | None, typer.Option("--runs", min=1, help="Stop after this many runs (default: run until stopped).", show_default=False)] = None,
    prune: Annotated[bool, typer.Option("--prune", help="Each run also removes stored articles whose files under the given folders are gone (never articles read from the web).")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm prunes that remove more than half of the articles stored under the given folders.")] = False,
    lock_timeout: Annotated[float | None, typer.Option("--lock-timeout", min=0, help="Seconds a run waits while another process writes to the data directory before it is skipped (default: no limit).", show_default=False)] = None,
    allow_host: AllowHost = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Ingest SOURCE... now and then every --every, one run at a time; Ctrl-C stops it.

    Each run is an ordinary `newsdesk ingest` (unchanged files cost nothing, unchanged feeds one
    request), under the data directory's write lock. A run that cannot be done (a Chroma server
    away, a folder not mounted) is reported and tried again at the next one.
    """
    from bot.runtime import Runtime
    from bot.watch import Watcher, parse_interval
    from ingest.files import as_sources, check_paths

    interval = parse_interval(every)
    paths = as_sources(sources)
    check_paths(paths)  # a typo stops it now, not at every run
    settings = settings_for(data_dir)
    allowing_hosts(settings, allow_host)
    home = settings.store.home
    timeout = lock_timeout if lock_timeout is not None else settings.ingest.lock_timeout

    def waiting(holder: str) -> None:
        err.print(messages.INGEST_WAITING.format(holder=holder, home=home), markup=False)

    watcher = Watcher(Runtime(settings), paths, interval, prune=prune, confirm_prune=yes,
                      lock_timeout=timeout, on_wait=waiting, on_run=lambda run: _report(run, watcher, as_json))
    err.print(messages.WATCH_STARTED.format(count=len(paths), every=every), markup=False)
    with terminate_as_interrupt() as signals:  # `systemctl stop`, `docker stop`: as Ctrl-C
        try:
            watcher.run(runs)
        except KeyboardInterrupt as interrupt:
            if watcher.running:  # the ingest stored what it encoded before this propagated
                if as_json:
                    _report_interrupted(interrupt, watcher)
                err.print(messages.WATCH_INTERRUPTED.format(number=watcher.runs), markup=False)
                raise typer.Exit(interrupted_exit_code(signals)) from None
    err.print(messages.WATCH_STOPPED.format(runs=watcher.runs), markup=False)
    if runs is not None and watcher.failed_runs:
        raise typer.Exit(1)


def _report(run: Run, watcher: Watcher, as_json: bool) -> None:
    """One line per run (a JSON object per line with --json), its problems above it."""
    from bot.cli.ingest_cmd import print_summary

    at = run.started.strftime("%Y-%m-%d %H:%M:%S")
    if as_json:
        record = {"run": run.number, "started": run.started.isoformat(timespec="seconds"),
                  "report": run.report.to_json() if run.report else None, "error": run.error}
        sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()
    elif run.report is None:
        err.print(messages.WATCH_RUN_NOT_DONE.format(number=run.number, at=at, error=run.error), markup=False)
    else:
        print_summary(run.report, messages.WATCH_RUN.format(number=run.number, at=at, summary="{summary}"))
        if run.report.prune_refused:
            err.print(messages.PRUNE_REFUSED.format(reason=run.report.prune_refused), markup=False)
    if watcher.next_at is not None and not as_json:
        err.print(messages.WATCH_NEXT.format(at=watcher.next_at.strftime("%H:%M:%S")), markup=False)


def _report_interrupted(interrupt: KeyboardInterrupt, watcher: Watcher) -> None:
    """--json: the interrupted run's line, with what it stored."""
    from ingest.errors import IngestInterrupted

    report = interrupt.report.to_json() if isinstance(interrupt, IngestInterrupted) else None
    record = {"run": watcher.runs, "report": report, "error": None, "interrupted": True}
    sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("watch")(watch)
