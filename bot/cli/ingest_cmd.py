"""`newsdesk ingest SOURCE...`: add or update articles from files, folders, feeds, sitemaps and
WARC files, incrementally; with `--rebuild`, every stored article re-embedded first (ingest/rebuild.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot import messages
from bot.cli.common import (
    AllowHost,
    DataDir,
    JsonFlag,
    LockTimeout,
    RichProgress,
    allowing_hosts,
    err,
    interrupted_means,
    out,
    print_json,
    settings_for,
)

if TYPE_CHECKING:
    from bot.cli.progress import ProgressLines
    from bot.runtime import Runtime
    from bot.settings import Settings
    from ingest.files import Source
    from ingest.report import IngestReport


def ingest(
    sources: Annotated[list[str] | None, typer.Argument(metavar="SOURCE", help="Files or folders of articles (.txt, .md, .html, .json, .jsonl, .warc), feed, sitemap and WARC files, and http(s) URLs of RSS/Atom feeds, sitemaps and web pages (optional with --rebuild).", show_default=False)] = None,
    prune: Annotated[bool, typer.Option("--prune", help="Remove stored articles whose files under the given folders are gone (never articles read from the web).")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm a prune that removes more than half of the articles stored under the given folders.")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed every stored article (with its earlier versions) from its stored text into a new index with the current settings, then ingest SOURCE if given. Nothing stored is dropped; the old index (any settings) is deleted once the new one holds every article. Needed after changing the model or chunking settings.")] = False,
    workers: Annotated[int | None, typer.Option("--workers", help="Processes that mark up and encode, beside the one that reads and writes to the store (default: $NEWSDESK_INGEST_WORKERS or one per CPU core, at most 4; 1: the ingest's own process does it all).", show_default=False)] = None,
    batch_size: Annotated[int | None, typer.Option("--batch-size", min=1, help="Passages per encoder batch (default: $NEWSDESK_EMBED_BATCH_SIZE or 16; 16 is fastest on CPU).", show_default=False)] = None,
    device: Annotated[str | None, typer.Option("--device", help="Encoder device: cpu, cuda, cuda:N or auto (onnx backends: ONNX Runtime's CUDA provider, from onnxruntime-gpu; torch: also mps). A GPU that is not there: a warning, and the CPU. Default: $NEWSDESK_EMBED_DEVICE or cpu.", show_default=False)] = None,
    embed_backend: Annotated[str | None, typer.Option("--embed-backend", help="Encoder backend: onnx (ONNX Runtime), torch (same vectors and index; for --device cuda or mps) or onnx-int8 (fastest; its own index). Default: $NEWSDESK_EMBED_BACKEND or onnx. Set the same for ask.", show_default=False)] = None,
    lock_timeout: LockTimeout = None,
    allow_host: AllowHost = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Read, chunk, embed and store articles. Unchanged articles cost nothing. With --rebuild,
    every stored article is first re-embedded from its stored text with the current settings."""
    from index.encoders.onnx_embedder import BACKENDS
    from index.errors import UserInputError
    from index.lock import write_lock
    from ingest.files import as_sources, check_paths

    settings = settings_for(data_dir)
    allowing_hosts(settings, allow_host)
    if embed_backend is not None and embed_backend not in BACKENDS:
        raise UserInputError(f"unknown --embed-backend '{embed_backend}': use {', '.join(BACKENDS)}")
    if workers is not None:
        settings.ingest.workers = _checked_workers(workers)
    encoder = {"batch_size": batch_size, "device": device, "backend": embed_backend}
    settings.embedding = settings.embedding.model_copy(update={k: v for k, v in encoder.items() if v is not None})
    home = settings.store.home

    def waiting(holder: str) -> None:
        err.print(messages.INGEST_WAITING.format(holder=holder, home=home), markup=False)

    timeout = lock_timeout if lock_timeout is not None else settings.ingest.lock_timeout
    if not sources and not rebuild:
        raise UserInputError(messages.INGEST_NO_SOURCE)
    paths = as_sources(sources or [])
    check_paths(paths)  # a missing path stops everything, before the lock or the model
    kept = _print_interrupted if as_json else None  # stdout is JSON, always
    with interrupted_means(messages.INGEST_INTERRUPTED, kept), write_lock(home, timeout=timeout, on_wait=waiting):
        report = _ingest_locked(settings, paths, prune=prune, confirm_prune=yes, rebuild=rebuild, as_json=as_json)
    if as_json:
        print_json(report.to_json())
    else:
        print_summary(report)
    if report.prune_refused:
        err.print(messages.PRUNE_REFUSED.format(reason=report.prune_refused), markup=False)
    if report.rebuild_incomplete:
        err.print(messages.REBUILD_INCOMPLETE.format(reason=report.rebuild_incomplete), markup=False)
    if report.failed or report.prune_refused or report.rebuild_incomplete:
        raise typer.Exit(1)


def _checked_workers(workers: int) -> int:
    """--workers: 1 or more; more than the machine's cores is allowed, with a warning."""
    import os

    from index.errors import UserInputError

    if workers < 1:
        raise UserInputError(messages.INGEST_WORKERS_BAD.format(value=workers))
    cores = os.cpu_count() or 1
    if workers > cores:
        err.print(messages.INGEST_WORKERS_MANY.format(value=workers, cores=cores), markup=False)
    return workers


def _ingest_locked(settings: Settings, paths: list[Source], *, prune: bool, confirm_prune: bool,
                   rebuild: bool, as_json: bool = False) -> IngestReport:
    from bot.cli.progress import ProgressLines
    from bot.runtime import Runtime

    runtime = Runtime(settings)
    # Bars on a terminal; lines when stderr is a log or a pipe, or stdout is JSON.
    progress = RichProgress() if err.is_terminal and not as_json else ProgressLines(settings.ingest.progress_seconds)
    try:
        rebuilt = _rebuild(runtime, progress, as_json) if rebuild else None
        if rebuilt is not None and rebuilt.rebuild_incomplete:
            return rebuilt  # the stored index is as it was: nothing more is written
        report = runtime.ingest(paths, prune=prune, confirm_prune=confirm_prune, progress=progress)
    finally:
        progress.stop()
    if rebuilt is not None:
        report.rebuilt, report.rebuilt_versions = rebuilt.rebuilt, rebuilt.rebuilt_versions
        report.embedded += rebuilt.embedded
        report.seconds = round(report.seconds + rebuilt.seconds, 3)
    return report


def _rebuild(runtime: Runtime, progress: RichProgress | ProgressLines, as_json: bool) -> IngestReport:
    """`--rebuild`: every stored article into a new index (ingest/rebuild.py), said on stderr."""
    with interrupted_means(messages.REBUILD_INTERRUPTED, _print_interrupted if as_json else None):
        report = runtime.rebuild(progress=progress)
    if report.rebuild_incomplete is None:
        progress.stop()
        err.print(messages.REBUILT.format(articles=report.rebuilt, versions=report.rebuilt_versions,
                                          settings=runtime.store.spec.describe()), markup=False)
    return report


def _print_interrupted(interrupt: KeyboardInterrupt) -> None:
    """--json: the report of what an interrupted run stored (nothing, if it stopped before that)."""
    from ingest.errors import IngestInterrupted
    from ingest.report import IngestReport

    report = interrupt.report if isinstance(interrupt, IngestInterrupted) else IngestReport(interrupted=True)
    print_json(report.to_json())


def print_summary(report: IngestReport, line: str = "{summary}") -> None:
    """Failures, warnings and skips on stderr, then one summary line (`line` frames it)."""
    from rich.markup import escape  # file names and reasons may hold [brackets]

    for failure in report.failed:
        err.print(f"[red]failed[/red] {escape(failure.path)}: {escape(failure.error)}", markup=True,
                  highlight=False)
    for warning in report.warnings:
        err.print(f"[yellow]warning[/yellow] {escape(warning.path)}: {escape(warning.error)}", markup=True,
                  highlight=False)
    for skip in report.skipped:
        err.print(f"[dim]skipped {escape(skip.path)}: {escape(skip.error)}[/dim]", markup=True, highlight=False)
    out.print(line.format(summary=summary(report)), markup=False)


def summary(report: IngestReport) -> str:
    return messages.INGEST_SUMMARY.format(
        added=report.added, updated=report.updated, unchanged=report.unchanged, removed=report.removed,
        failed=len(report.failed), chunks_added=report.chunks_added, chunks_removed=report.chunks_removed,
        seconds=report.seconds,
    )
