"""`newsdesk article ID`: show a stored article, the text that citations are checked against."""

from __future__ import annotations

from typing import Annotated

import typer

from bot import messages
from bot.cli.common import DataDir, JsonFlag, out, print_json, settings_for
from index.errors import ArticleNotFoundError


def article(
    article_id: Annotated[str, typer.Argument(help="Article id, as printed by `ask --json`.")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print a stored article: id, title, published, url, source, path and full text."""
    from bot.runtime import Runtime

    runtime = Runtime(settings_for(data_dir))
    found = runtime.store.get_article(article_id.strip())
    if found is None:
        raise ArticleNotFoundError(messages.ARTICLE_NOT_FOUND.format(article_id=article_id))
    if as_json:
        print_json(found.to_json())
        return
    out.print(f"[bold]{found.title}[/bold]", markup=True)
    out.print(" · ".join(x for x in (
        found.published.isoformat() if found.published else "undated", found.source or "",
        found.url or found.path or "") if x), style="dim", markup=False)
    out.print(f"id {found.id}\n", style="dim", markup=False)
    out.print(found.text, markup=False)
