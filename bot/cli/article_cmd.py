"""`newsdesk article ID|PATH`: show a stored article, the text that citations are checked against,
with its earlier versions (`--version N` shows one) and the other articles of its wire story."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot import messages
from bot.answer import OtherCopy
from bot.cli.articles_cmd import summary_lines
from bot.cli.common import DataDir, JsonFlag, err, fail, json_mode, out, print_json, settings_for
from index.errors import ArticleNotFoundError
from index.versions import base_id

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
    version: Annotated[int | None, typer.Option(
        "--version", min=1, help="Show this earlier version of the text (they are listed without it).",
        show_default=False)] = None,
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
    base = base_id(found.id)
    current = found if found.superseded is None else store.get_article(base)
    versions = [*store.article_versions(base), *([current] if current is not None else [])]
    if version is not None:
        found = _version(versions, base, version)
    story = found.story or base
    copies = [m for m in store.story_members([story]).get(story, []) if m.id != base]
    if as_json:
        print_json({**found.to_json(), "versions": [_version_json(v) for v in versions],
                    "also_carried_by": [OtherCopy(c.id, c.title, c.source, c.url, c.published).to_json()
                                        for c in copies]})
        return
    out.print(f"[bold]{found.title}[/bold]", markup=True)
    out.print(" · ".join(x for x in (
        found.published.isoformat() if found.published else "undated", found.source or "",
        found.url or found.path or "") if x), style="dim", markup=False)
    out.print(f"id {found.id}", style="dim", markup=False)
    if found.superseded is not None:
        out.print(messages.EARLIER_VERSION.format(version=found.version, day=found.superseded.isoformat()),
                  style="dim", markup=False)
    if len(versions) > 1:
        out.print(messages.ARTICLE_VERSIONS_HEADING, style="dim", markup=False)
        for v in versions:
            out.print(f"  {_version_line(v, base)}", style="dim", markup=False)
    if copies:
        out.print(messages.ARTICLE_COPIES_HEADING.format(count=len(copies)), style="dim", markup=False)
        for line in summary_lines(copies):
            out.print(f"  {line}", style="dim", markup=False)
    out.print("")
    out.print(found.text, markup=False)


def _version(versions: list[Article], base: str, number: int) -> Article:
    for v in versions:
        if v.version == number:
            return v
    have = ", ".join(f"v{v.version}" for v in versions) or "v1"
    raise ArticleNotFoundError(messages.ARTICLE_NO_SUCH_VERSION.format(article_id=base, version=number, versions=have))


def _version_line(version: Article, base: str) -> str:
    start = version.available.isoformat() if version.available else "undated"
    span = (messages.ARTICLE_VERSION_CURRENT.format(start=start) if version.superseded is None
            else messages.ARTICLE_VERSION_SPAN.format(start=start, end=version.superseded.isoformat()))
    return messages.ARTICLE_VERSION_LINE.format(version=version.version, span=span, chars=len(version.text), id=base)


def _version_json(version: Article) -> dict[str, object]:
    return {
        "id": version.id,
        "version": version.version,
        "from": version.available.isoformat() if version.available else None,
        "until": version.superseded.isoformat() if version.superseded else None,
        "chars": len(version.text),
    }


def _article_from_file(store: Archive, given: str) -> Article:
    """The one article read from the file at `given`; several (an export) are listed to choose from."""
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
    heading = messages.ARTICLE_PATH_HOLDS_MANY.format(path=path, count=len(from_file))
    if json_mode():
        fail(heading.rstrip(":"), articles=[s.to_json() for s in from_file])
    err.print(heading, markup=False)
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
