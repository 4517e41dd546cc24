"""`newsdesk articles`: list the stored articles and their ids, newest first, optionally filtered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from bot import messages
from bot.cli.common import DataDir, JsonFlag, err, out, parse_date, print_json, settings_for
from index.errors import UserInputError

if TYPE_CHECKING:
    from index.archive import ArticleSummary

_FILTERS = "Filters (all must hold)"


def articles(
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="Published on or after this date (YYYY-MM-DD); leaves undated articles out.", show_default=False, rich_help_panel=_FILTERS)] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="Published on or before this date (YYYY-MM-DD); leaves undated articles out.", show_default=False, rich_help_panel=_FILTERS)] = None,
    source: Annotated[str | None, typer.Option("--source", metavar="TEXT", help="The source contains TEXT (any case).", show_default=False, rich_help_panel=_FILTERS)] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="WORDS", help="The title contains every one of these WORDS (any case).", show_default=False, rich_help_panel=_FILTERS)] = None,
    path: Annotated[str | None, typer.Option("--path", metavar="TEXT", help="The path of the file it came from contains TEXT.", show_default=False, rich_help_panel=_FILTERS)] = None,
    text: Annotated[str | None, typer.Option("--text", metavar="WORDS", help="The stored text holds any of these WORDS; best match first (BM25, the score in --json).", show_default=False, rich_help_panel=_FILTERS)] = None,
    limit: Annotated[int, typer.Option("--limit", metavar="N", min=0, help="Show at most N articles (0 for all).")] = 50,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """List stored articles (id, published, source, title), newest first (best match first with --text).

    Show one with `newsdesk article ID`. Exit code 1 when the archive is empty or nothing matches.
    """
    from bot.runtime import Runtime
    from index.archive import ArticleFilter

    where = ArticleFilter(
        since=parse_date(since) if since else None,
        until=parse_date(until) if until else None,
        source=(source or "").strip() or None,
        title_words=tuple((title or "").split()),
        path=path or None,
    )
    if where.since and where.until and where.since > where.until:
        raise UserInputError(messages.BAD_DATE_RANGE.format(since=where.since, until=where.until))
    if text is not None and not text.strip():
        raise UserInputError(messages.ARTICLES_NO_TEXT)
    runtime = Runtime(settings_for(data_dir))
    store = runtime.store
    total = store.counts()[0]
    found = store.article_summaries(where) if total else []
    scores = runtime.lexical.article_scores(text) if text and total else {}
    if text:  # best match first; a stable sort keeps ties newest first
        found = sorted((s for s in found if s.id in scores), key=lambda s: -scores[s.id])
    shown = found[:limit] if limit else found
    if as_json:
        print_json([{**s.to_json(), **({"score": round(scores[s.id], 4)} if text else {})} for s in shown])
    else:
        for line in summary_lines(shown):
            out.print(line, markup=False)
    if not found:
        err.print(messages.ARTICLES_NO_MATCH.format(total=total) if total else messages.EMPTY_INDEX, markup=False)
        raise typer.Exit(1)
    if len(shown) < len(found):
        err.print(messages.ARTICLES_MORE.format(shown=len(shown), total=len(found)), style="dim", markup=False)


def summary_lines(summaries: Sequence[ArticleSummary]) -> list[str]:
    """One aligned line per article: id, published (or "undated"), source, title."""
    id_width = max((len(s.id) for s in summaries), default=0)
    source_width = max((len(s.source or "-") for s in summaries), default=0)
    return [
        f"{s.id:<{id_width}}  {s.published.isoformat() if s.published else 'undated':<10}  "
        f"{s.source or '-':<{source_width}}  {s.title}"
        for s in summaries
    ]
