"""Versions of an article: when a re-ingested article's text changed, the text it had is kept.

The current text stays under the article's own id, as before. An earlier version is kept, with
its chunks and their vectors, under a version-qualified id, `ID@vN`: that id is what its
passages and citations carry, so `get_articles(["ID@v1"])` returns exactly the text a citation
of version 1 was quoted from, and offsets stay exact for every version.

Each version answers as-of questions over a span of days: from its `available` day (for a
later version, the day it replaced the one before, `Article.revised`) up to the day the next
one replaced it (`Article.superseded`), which is excluded. That day is the new version's
`received` day (a file's last modification, a fetch, a WARC capture), else the day of the
re-ingest, and never before the earlier version's own first day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from index.models import Article

_VERSIONED = re.compile(r"^(?P<base>.+)@v(?P<version>[1-9][0-9]*)$")


def version_id(article_id: str, version: int) -> str:
    """The id an earlier version of `article_id` is stored and cited under."""
    return f"{article_id}@v{version}"


def split_version_id(key: str) -> tuple[str, int] | None:
    """(article id, version) of a version-qualified id; None for a plain id."""
    found = _VERSIONED.match(key)
    return (found.group("base"), int(found.group("version"))) if found else None


def base_id(key: str) -> str:
    """The article a (possibly version-qualified) id belongs to."""
    split = split_version_id(key)
    return split[0] if split else key


def change_day(stored: Article, new: Article, today: date) -> date:
    """The day `new` replaced `stored`: its received day, else today; never before the day the
    stored version became available (nor after today)."""
    day = min(new.received or today, today)
    first = stored.available
    return max(day, first) if first is not None else day


def as_superseded(stored: Article, day: date) -> Article:
    """The stored current version as kept in the history: under its qualified id, valid until `day`."""
    return replace(stored, id=version_id(stored.id, stored.version), superseded=day, fingerprint=None)


def valid_on(article: Article, as_of: date) -> bool:
    """Whether this version is the one an as-of question on `as_of` may read."""
    first = article.available
    return (first is None or first <= as_of) and (article.superseded is None or as_of < article.superseded)


def oldest_first(versions: Iterable[Article]) -> list[Article]:
    return sorted(versions, key=lambda a: a.version)
