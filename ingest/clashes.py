"""Two articles under one id: when a stored id already names another article, and what the
user can do about it."""

from __future__ import annotations

from pathlib import Path

from index.archive import ArticleState
from index.models import Article
from ingest.readers import JSON_SUFFIXES, LINES_SUFFIXES, suffix_of
from ingest.records import normalize_url, url_id


def id_clash(stored: ArticleState, article: Article) -> str | None:
    """Why `article` is not stored under its id, or None when it may replace what is stored."""
    if not _clashes(stored, article):
        return None
    return (f"id '{article.id}' is already used by \"{stored.title}\" from {stored.path}; not stored "
            f"({_clash_hint(article)})")


def _clashes(stored: ArticleState, article: Article) -> bool:
    """Another article under the same id: from another file that still exists, with another
    title and URL. (A moved file, or a new version with its title or URL, is the same article.)"""
    return (
        bool(stored.path) and stored.path != article.path and Path(stored.path or "").exists()
        and stored.title != article.title and not (article.url and article.url == stored.url)
    )


def _clash_hint(article: Article) -> str:
    """What stores the article without touching the other, by where its id came from: an export's
    record (its own `id`, else its URL's or its line's) can take an `id` of its own; a page's URL
    is shared; else it is the file's path under the folder ingested, which a common parent tells apart."""
    if article.path and suffix_of(Path(article.path)) in JSON_SUFFIXES | LINES_SUFFIXES:
        return "give this record an `id` of its own: an export's `id` names one article across all your exports"
    if article.url and article.id == url_id(article.url):
        return f"both have the URL {normalize_url(article.url)} once normalised: correct one of them"
    return "ingest both files from their common parent folder"
