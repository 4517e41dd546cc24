"""One record of any source (a file, an export line, a feed entry, a web page) turned into an
Article: its id, title, date and source, and the problems met on the way."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from index.models import Article
from index.versions import split_version_id
from ingest.dates import DateProblem, find_dateline, parse_date
from ingest.errors import ArticleReadError

_TRACKING = re.compile(r"^(utm_.*|cid|amp|fbclid|gclid|ref|smid)$")


@dataclass(frozen=True)
class RecordError:
    """A problem with one record of a file (e.g. one broken line of a JSONL export); `where` is
    empty when the file holds a single article."""

    where: str
    reason: str


@dataclass(frozen=True)
class ReadResult:
    articles: list[Article]
    errors: list[RecordError]  # records that were not read
    warnings: list[RecordError] = field(default_factory=list)  # read, with a value set aside


def normalize_url(url: str) -> str:
    """Scheme, `www.`, fragment, tracking parameters and trailing `/index.html` or `/` do not matter."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = re.sub(r"/index\.html?$", "", parts.path).rstrip("/")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k.lower())])
    return f"{host}{path}" + (f"?{query}" if query else "")


def url_id(url: str) -> str:
    return hashlib.sha1(normalize_url(url).encode("utf-8")).hexdigest()[:16]


def path_id(relative: str) -> str:
    return hashlib.sha1(f"path:{relative}".encode()).hexdigest()[:16]


def source_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    return host or None


@dataclass(frozen=True)
class ReadContext:
    path: Path
    relative: str
    root_name: str
    received: date | None = None
    warnings: list[RecordError] = field(default_factory=list)

    @classmethod
    def for_file(cls, path: Path, root: Path) -> ReadContext:
        """Articles of the file `path`, found under the folder `root` their path ids are relative to."""
        return cls(path=path.resolve(), relative=_relative(path, root), root_name=root.resolve().name,
                   received=modified_day(path))

    def result(self, articles: list[Article], errors: list[RecordError] | None = None) -> ReadResult:
        return ReadResult(articles, errors or [], list(self.warnings))

    def article(self, title: str, text: str, published: Any = None, url: str | None = None,
                source: str | None = None, record: str | None = None, own_id: str | None = None) -> Article:
        """`published`: the record's own date value; None when it has none (then the text's
        dateline, if any, is used)."""
        text = text.strip()
        if not text:
            raise ArticleReadError("no article text found")
        if own_id and split_version_id(own_id):
            raise ArticleReadError(
                f"id '{own_id}' has the form of an earlier version's id (ID@vN, kept for corrected "
                "articles); not stored: give the record an id that does not end in '@v' and a number"
            )
        if own_id:
            article_id = own_id
        elif url:
            article_id = url_id(url)
        else:
            article_id = path_id(self.relative + (f"#{record}" if record else ""))
        try:
            day = parse_date(published) if published is not None else find_dateline(text)
        except DateProblem as problem:
            self.warnings.append(RecordError(record or "", f"stored undated: the date {problem}"))
            day = None
        return Article(
            id=article_id,
            title=(title or "").strip() or first_words(text),
            text=text,
            published=day,
            url=url or None,
            source=source or source_of(url) or self.root_name,
            path=str(self.path),
            received=self.received,
        )


def modified_day(path: Path) -> date | None:
    """The day the file was last written (never later than today): when newsdesk could first know it."""
    try:
        return min(date.fromtimestamp(path.stat().st_mtime), date.today())
    except (OSError, ValueError, OverflowError):
        return None


def first_words(text: str, words: int = 12) -> str:
    return " ".join(text.split()[:words])


def _relative(path: Path, root: Path) -> str:
    """`path` under `root` (as found there, so a symlinked folder keeps its own name), else the file name."""
    for inner, outer in ((path, root), (path.resolve(), root.resolve())):
        try:
            return inner.relative_to(outer).as_posix()
        except ValueError:
            continue
    return path.name
