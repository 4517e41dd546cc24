"""Corrections and updates at ingest: an article whose text changed keeps the text it had.

Before a changed article is written, its stored version is kept as an earlier version (with its
chunks and their vectors: nothing is encoded twice), valid until the day the new one replaced
it; the new one gets the next version number and that day (see index/versions.py). A change of
title, URL or date alone replaces the stored record as before, keeping its version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from index.archive import Archive
from index.models import Article
from index.versions import change_day
from ingest.copies import CopyFinder
from ingest.report import IngestReport


def prepare(store: Archive, copies: CopyFinder, planned: Sequence[tuple[Article, bool]],
            report: IngestReport) -> list[Article]:
    """The planned articles (each with whether an earlier version is stored) as they are to be
    written: a changed text's stored version kept first (`revise`), each put in its wire story
    (ingest/copies.py). Only version, day and story change, never what was chunked."""
    articles = [article for article, _ in planned]
    # An earlier version written as it is (a rebuild) is never revised.
    updates = [i for i, (article, is_update) in enumerate(planned) if is_update and article.superseded is None]
    revised, kept = revise(store, [articles[i] for i in updates], date.today())
    for i, article in zip(updates, revised):
        articles[i] = article
    report.versions_kept += kept
    before, backfilled = copies.copies, copies.backfilled
    marked = copies.mark(articles)
    report.copies += copies.copies - before
    report.fingerprinted += copies.backfilled - backfilled
    return marked


def revise(store: Archive, updates: Sequence[Article], today: date) -> tuple[list[Article], int]:
    """`updates` (articles with an earlier version stored) as they are to be stored, and how many
    earlier texts were kept. Call before anything of the new versions is written."""
    if not updates:
        return [], 0
    stored = store.get_articles([a.id for a in updates])
    revised: list[Article] = []
    keep: list[tuple[str, date]] = []
    for article in updates:
        old = stored.get(article.id)
        if old is None:  # deleted meanwhile: a first version again
            revised.append(article)
        elif old.text == article.text:
            revised.append(replace(article, version=old.version, revised=old.revised))
        else:
            day = change_day(old, article, today)
            keep.append((article.id, day))
            revised.append(replace(article, version=old.version + 1, revised=day))
    store.keep_versions(keep)
    return revised, len(keep)
