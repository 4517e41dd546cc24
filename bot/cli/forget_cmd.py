"""`newsdesk forget ID|PATH...`: remove stored articles, by id or by the file or folder they came from
(ingest/forget.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot import messages
from bot.cli.articles_cmd import summary_lines
from bot.cli.common import (
    DataDir,
    JsonFlag,
    LockTimeout,
    err,
    fail,
    interrupted_means,
    out,
    print_json,
    settings_for,
)
from index.errors import UserInputError
from index.versions import base_id

if TYPE_CHECKING:
    from bot.settings import Settings
    from ingest.forget import ForgetPlan


def forget(
    targets: Annotated[list[str], typer.Argument(metavar="ID|PATH", help="Article ids (from `newsdesk articles`), paths of files they were read from, or folders: every article read from a file under it. An id wins over a path of the same name (write ./NAME for the path).", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be forgotten, and change nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm forgetting more than half of the stored articles.")] = False,
    lock_timeout: LockTimeout = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Remove stored articles with their chunks, earlier versions and wire-copy fingerprints.

    Not a block list: ingesting their files, feeds or pages again brings them back. Exit code 1
    when an argument names no stored article (the articles the others name are still removed).
    """
    settings = settings_for(data_dir)
    removed: int | None = None
    if dry_run:
        from bot.runtime import Runtime
        from ingest.forget import plan_forget

        plan = _checked(plan_forget(Runtime(settings).store, targets))
    else:
        plan, removed = _forget_locked(settings, targets, lock_timeout, confirmed=yes)
    if as_json:
        print_json({"dry_run": dry_run, "articles": [s.to_json() for s in plan.articles],
                    "unknown": plan.unknown, "chunks_removed": removed})
    else:
        for line in summary_lines(plan.articles):
            out.print(line, markup=False)
        out.print(messages.FORGET_DRY_RUN.format(count=len(plan.articles)) if removed is None
                  else messages.FORGET_DONE.format(count=len(plan.articles), chunks=removed), markup=False)
    for given in plan.unknown:
        err.print(messages.FORGET_UNKNOWN.format(given=given), markup=False)
    if plan.unknown:
        raise typer.Exit(1)


def _forget_locked(settings: Settings, targets: list[str], lock_timeout: float | None,
                   confirmed: bool) -> tuple[ForgetPlan, int]:
    """Plan and forget under the data directory's write lock, with a store opened after taking it;
    then rebuild the lexical index, so that the next question needs no rebuild."""
    from bot.runtime import Runtime
    from index.lock import write_lock
    from ingest.forget import forget as forget_planned
    from ingest.forget import plan_forget
    from ingest.prune import MAX_PRUNE_SHARE

    home = settings.store.home

    def waiting(holder: str) -> None:
        err.print(messages.FORGET_WAITING.format(holder=holder, home=home), markup=False)

    timeout = lock_timeout if lock_timeout is not None else settings.ingest.lock_timeout
    with interrupted_means(messages.FORGET_INTERRUPTED), write_lock(home, timeout=timeout, on_wait=waiting):
        runtime = Runtime(settings)
        plan = _checked(plan_forget(runtime.store, targets))
        total = runtime.store.counts()[0]
        if len(plan.articles) > 1 and len(plan.articles) > MAX_PRUNE_SHARE * total and not confirmed:
            # `forget .` in the wrong folder looks exactly like this, as an unmounted drive does to --prune
            fail(messages.FORGET_CONFIRM.format(count=len(plan.articles), total=total, share=MAX_PRUNE_SHARE))
        removed = forget_planned(runtime.store, plan, runtime.fetch_cache)
        if plan.articles:
            runtime.lexical  # noqa: B018 - the BM25 side follows now, and is saved for the next reader
    return plan, removed


def _checked(plan: ForgetPlan) -> ForgetPlan:
    """The plan, unless an argument names one version of an article: then nothing is done."""
    if plan.versions:
        given = plan.versions[0]
        raise UserInputError(messages.FORGET_VERSION.format(given=given, base=base_id(given.strip())))
    return plan
