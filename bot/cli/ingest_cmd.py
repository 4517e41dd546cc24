"""`newsdesk ingest PATH...`: add or update articles, incrementally."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot import messages
from bot.cli.common import (
    DataDir,
    JsonFlag,
    RichProgress,
    err,
    interrupted_means,
    out,
    print_json,
    settings_for,
)

if TYPE_CHECKING:
    from bot.settings import Settings
    from ingest.report import IngestReport


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories of articles (.txt, .md, .html, .json, .jsonl).", show_default=False)],
    prune: Annotated[bool, typer.Option("--prune", help="Remove stored articles whose files under PATHS are gone.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm a prune that removes more than half of the articles stored under PATHS.")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the existing index (any settings) and re-embed from PATHS.")] = False,
    batch_size: Annotated[int | None, typer.Option("--batch-size", min=1, help="Passages per encoder batch (default: $NEWSDESK_EMBED_BATCH_SIZE or 16; 16 is fastest on CPU).", show_default=False)] = None,
    device: Annotated[str | None, typer.Option("--device", help="Encoder device: cpu, cuda, cuda:N, mps or auto (default: $NEWSDESK_EMBED_DEVICE or cpu).", show_default=False)] = None,
    embed_backend: Annotated[str | None, typer.Option("--embed-backend", help="Encoder backend: onnx (ONNX Runtime), torch (same vectors and index; for --device cuda or mps) or onnx-int8 (fastest; its own index). Default: $NEWSDESK_EMBED_BACKEND or onnx. Set the same for ask.", show_default=False)] = None,
    lock_timeout: Annotated[float | None, typer.Option("--lock-timeout", min=0, help="Seconds to wait while another ingest writes to the same data directory (default: no limit; 0: fail at once).", show_default=False)] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Read, chunk, embed and store articles. Unchanged articles cost nothing."""
    from index.errors import UserInputError
    from index.lock import write_lock
    from index.onnx_embedder import BACKENDS
    from ingest.files import check_paths

    settings = settings_for(data_dir)
    if embed_backend is not None and embed_backend not in BACKENDS:
        raise UserInputError(f"unknown --embed-backend '{embed_backend}': use {', '.join(BACKENDS)}")
    encoder = {"batch_size": batch_size, "device": device, "backend": embed_backend}
    settings.embedding = settings.embedding.model_copy(update={k: v for k, v in encoder.items() if v is not None})
    home = settings.store.home

    def waiting(holder: str) -> None:
        err.print(messages.INGEST_WAITING.format(holder=holder, home=home), markup=False)

    timeout = lock_timeout if lock_timeout is not None else settings.ingest.lock_timeout
    check_paths(paths)  # a missing path stops everything, before the lock or the model
    with interrupted_means(messages.INGEST_INTERRUPTED), write_lock(home, timeout=timeout, on_wait=waiting):
        report = _ingest_locked(settings, paths, prune=prune, confirm_prune=yes, rebuild=rebuild)
    if as_json:
        print_json(report.to_json())
    else:
        _print_summary(report)
    if report.prune_refused:
        err.print(messages.PRUNE_REFUSED.format(reason=report.prune_refused), markup=False)
    if report.failed or report.prune_refused:
        raise typer.Exit(1)


def _ingest_locked(settings: Settings, paths: list[Path], *, prune: bool, confirm_prune: bool,
                   rebuild: bool) -> IngestReport:
    from bot.runtime import Runtime

    runtime = Runtime(settings)
    if rebuild:
        from index.store import ArchiveStore, open_client

        ArchiveStore.drop(open_client(settings.store), runtime.namespace)
    progress = RichProgress()
    try:
        return runtime.ingest(paths, prune=prune, confirm_prune=confirm_prune, progress=progress)
    finally:
        progress.stop()


def _print_summary(report: IngestReport) -> None:
    from rich.markup import escape  # file names and reasons may hold [brackets]

    for failure in report.failed:
        err.print(f"[red]failed[/red] {escape(failure.path)}: {escape(failure.error)}", markup=True,
                  highlight=False)
    for warning in report.warnings:
        err.print(f"[yellow]warning[/yellow] {escape(warning.path)}: {escape(warning.error)}", markup=True,
                  highlight=False)
    for skip in report.skipped:
        err.print(f"[dim]skipped {escape(skip.path)}: {escape(skip.error)}[/dim]", markup=True, highlight=False)
    out.print(
        f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"removed {report.removed}, failed {len(report.failed)} · "
        f"chunks +{report.chunks_added} -{report.chunks_removed} · {report.seconds:.1f}s",
        markup=False,
    )
