"""`newsdesk article ID|PATH`: show a stored article, the text that citations are checked against."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot import messages
from bot.cli.common import DataDir, JsonFlag, err, out, print_json, settings_for
from index.errors import ArticleNotFoundError

if TYPE_CHECKING:
    from index.archive import Archive
    from index.models import Article

# A JSONL export can hold thousands of articles: name a few, then point to `newsdesk articles`.
_LISTED_FROM_ONE_FILE = 20


def article(
    article_id: Annotated[str, typer.Argument(
        metavar="ID|PATH",
        help="Article id (from `newsdesk articles` or `ask --json`), or the path of the file it came from.",
    )],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print a stored article: id, title, published, url, source, path and full text."""
    from bot.runtime import Runtime

    store = Runtime(settings_for(data_dir)).store
    wanted = article_id.strip()
    found = store.get_article(wanted) if wanted else None  # an id takes precedence over a path
    if found is None:
        found = _article_from_file(store, wanted)
    if as_json:
        print_json(found.to_json())
        return
    out.print(f"[bold]{found.title}[/bold]", markup=True)
    out.print(" · ".join(x for x in (
        found.published.isoformat() if found.published else "undated", found.source or "",
        found.url or found.path or "") if x), style="dim", markup=False)
    out.print(f"id {found.id}\n", style="dim", markup=False)
    out.print(found.text, markup=False)


def _article_from_file(store: Archive, given: str) -> Article:
    """The one article read from the file at `given`; several (an export) are listed to choose from."""
    from bot.cli.articles_cmd import summary_lines

    path = _absolute(given)
    if path is None:
        raise ArticleNotFoundError(messages.ARTICLE_NOT_FOUND.format(article_id=given))
    from_file = store.articles_from_path(str(path))
    if not from_file:
        if path.exists() or "/" in given or "\\" in given:
            raise ArticleNotFoundError(messages.ARTICLE_NOT_FROM_PATH.format(path=path, name=path.name))
        raise ArticleNotFoundError(messages.ARTICLE_NOT_FOUND.format(article_id=given))
    if len(from_file) == 1:
        only = store.get_article(from_file[0].id)
        if only is not None:  # None only if it was deleted a moment ago
            return only
        raise ArticleNotFoundError(messages.ARTICLE_NOT_FROM_PATH.format(path=path, name=path.name))
    err.print(messages.ARTICLE_PATH_HOLDS_MANY.format(path=path, count=len(from_file)), markup=False)
    for line in summary_lines(from_file[:_LISTED_FROM_ONE_FILE]):
        err.print(f"  {line}", markup=False)
    if len(from_file) > _LISTED_FROM_ONE_FILE:
        err.print(messages.ARTICLE_PATH_MORE.format(
            count=len(from_file) - _LISTED_FROM_ONE_FILE, name=path.name), markup=False)
    raise typer.Exit(1)


def _absolute(given: str) -> Path | None:
    """The path as ingest records it (resolved, absolute), or None when it cannot be one."""
    if not given:
        return None
    try:
        return Path(given).expanduser().resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return None
