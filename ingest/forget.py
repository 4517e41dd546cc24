"""Forgetting articles (`newsdesk forget`): named by id, or by the file or folder they were read from.

What goes with an article: its chunks and vectors, its earlier versions and its wire-copy
fingerprint (`Archive.delete_articles`). The lexical index follows the store's revision (the
caller rebuilds it at once, as ingest does). The other articles of its wire story stay together
under the story's name (ingest/copies.py). And the HTTP validators that would make the next
ingest of a feed or a sitemap say "not modified" are dropped, so the forgotten articles can
come back, as a forgotten file's do: forgetting is not a block list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.archive import Archive, ArticleSummary
from index.versions import split_version_id
from ingest.fetch import CACHE_FILE
from ingest.validators import ValidatorCache


@dataclass
class ForgetPlan:
    """What `forget` would remove, and the arguments that named nothing."""

    articles: list[ArticleSummary] = field(default_factory=list)  # newest first, each once
    unknown: list[str] = field(default_factory=list)  # arguments that name no stored article
    versions: list[str] = field(default_factory=list)  # `ID@vN` arguments: one version cannot go alone


def plan_forget(store: Archive, targets: Sequence[str]) -> ForgetPlan:
    """The stored articles each target names: the article with that id, else those read from
    that file, or from files under that folder (the path need not exist any more). An id wins
    over a path of the same name; `./NAME` is always a path."""
    plan = ForgetPlan()
    stored = store.article_summaries()
    by_id = {s.id: s for s in stored}
    chosen: dict[str, ArticleSummary] = {}
    for target in targets:
        wanted = target.strip()
        if wanted in by_id:
            chosen[wanted] = by_id[wanted]
            continue
        if split_version_id(wanted):
            plan.versions.append(target)
            continue
        found = _under(stored, wanted)
        if not found:
            plan.unknown.append(target)
        chosen.update((s.id, s) for s in found)
    plan.articles = [s for s in stored if s.id in chosen]  # in the store's order: newest first
    return plan


def forget(store: Archive, plan: ForgetPlan, fetch_cache: Path | None = None) -> int:
    """Remove the plan's articles; returns the chunks removed (earlier versions' included).
    When any was read from the web, the validators in `fetch_cache` of every URL that is not a
    stored article's are dropped: a feed or sitemap is read in full on its next ingest."""
    if not plan.articles:
        return 0
    removed = store.delete_articles([s.id for s in plan.articles])
    if fetch_cache is not None and any(s.url for s in plan.articles):
        forget_fetched(fetch_cache / CACHE_FILE, {s.url for s in store.article_summaries() if s.url})
    return removed


def forget_fetched(cache_file: Path, keep: set[str]) -> int:
    """Drop the validators of every URL not in `keep` from a `ValidatorCache` file; returns how
    many went."""
    if not cache_file.is_file():
        return 0
    cache = ValidatorCache(cache_file)
    try:
        gone = [url for url in cache.urls() if url not in keep]
        for url in gone:
            cache.stage(url, None)
        cache.commit()
    finally:
        cache.close()
    return len(gone)


def _under(stored: Sequence[ArticleSummary], given: str) -> list[ArticleSummary]:
    """Articles read from the file at `given`, or from files under the folder at `given`."""
    if not given:
        return []
    try:
        root = str(Path(given).expanduser().resolve())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return []
    prefix = root.rstrip("/") + "/"
    return [s for s in stored if s.path and (s.path == root or s.path.startswith(prefix))]
