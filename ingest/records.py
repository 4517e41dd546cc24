"""One record of any source (a file, an export line, a feed entry, a web page) turned into an
Article: its id, title, date and source, and the problems met on the way."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import parse_qsl, urlencode, urlsplit

from index.models import Article
from index.versions import split_version_id
from ingest.dates import DateProblem, find_dateline, parse_date
from ingest.errors import ArticleReadError

if TYPE_CHECKING:
    from index.archive import Archive

_TRACKING = re.compile(r"^(utm_.*|cid|amp|fbclid|gclid|ref|smid)$")
_HTTP_URL = re.compile(r"https?://[^/\s]", re.I)

# The articles stored from a file, given its real path (`Archive.articles_from_path`): id -> source.
StoredIds: TypeAlias = Callable[[str], Mapping[str, str | None]]
# Reading every stored article's path at once costs about a tenth of asking for one file's
# articles (Chroma, 600 articles: 0.2 ms an article, 1.9 ms a file).
BULK_READ_SHARE = 10


class ArchiveFiles:
    """`StoredIds` for an ingest into `store`: asked file by file (one store call each), until
    that has cost about what reading every stored article's path once costs; then read once
    for the rest of the run. One new file costs one call; re-reading a whole archive, one read."""

    def __init__(self, store: Archive) -> None:
        self.store = store
        self._left: int | None = None  # files still asked one by one
        self._by_path: dict[str, dict[str, str | None]] | None = None

    def __call__(self, path: str) -> Mapping[str, str | None]:
        if self._by_path is None:
            if self._left is None:
                self._left = max(32, self.store.counts()[0] // BULK_READ_SHARE)
            if self._left > 0:
                self._left -= 1
                return {s.id: s.source for s in self.store.articles_from_path(path)}
            self._by_path = {}
            for state in self.store.article_states().values():
                if state.path:
                    self._by_path.setdefault(state.path, {})[state.id] = state.source
        return self._by_path.get(path, {})


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


def is_http_url(text: str) -> bool:
    return bool(_HTTP_URL.match(text))


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


class StoredFile:
    """What the archive holds from one file already (by its real path, asked once, and only when
    needed): the ids and sources its articles keep, whatever folder or name reaches the file now.

    A file's articles without an own id or a URL have path ids: the SHA-1 of the file's real path
    (symlinks resolved) relative to the real folder ingested, `#record` added for a record of an
    export. Re-ingesting the same folder, also after moving it, finds the same ids, and so does
    reaching a file through any symlink. A file stored already under another path id (ingested
    from a parent folder or a subfolder, or by an earlier newsdesk through a symlink's name)
    keeps that id: one file, one record, one article. Its source, when none is given, stays the
    name of the folder it was first ingested from."""

    def __init__(self, path: Path, root: Path, stored: StoredIds | None = None) -> None:
        self.relative = _relative(path, root)
        self._real = str(path.resolve())
        # Every ending of the file's path, as found and as resolved: the names an earlier ingest
        # may have given it, relative to the folder it ingested.
        self._endings = list(dict.fromkeys(_endings(path.absolute()) + _endings(path.resolve())))
        # The folders it is in: the sources it may have been given for want of one (their names).
        self._folders = {p.name for p in (*path.absolute().parents, *path.resolve().parents)}
        self._lookup = stored
        self._stored: Mapping[str, str | None] | None = None

    def path_id(self, record: str | None) -> str:
        tail = f"#{record}" if record else ""
        own = path_id(self.relative + tail)
        stored = self.stored()
        if not stored or own in stored:
            return own
        found = next((i for i in (path_id(e + tail) for e in self._endings) if i in stored), None)
        if found is None and record is None and len(stored) == 1:
            found = next(iter(stored))  # a file of one article: the one stored from it
        return found or own

    def source(self, article_id: str) -> str | None:
        """The source `article_id` was stored with from this file for want of one (the name of
        the folder then ingested), if it was."""
        source = self.stored().get(article_id)
        return source if source in self._folders else None

    def stored(self) -> Mapping[str, str | None]:
        if self._stored is None:
            self._stored = self._lookup(self._real) if self._lookup is not None else {}
        return self._stored


def _endings(path: Path) -> list[str]:
    """'c.txt', 'b/c.txt', 'a/b/c.txt' for /a/b/c.txt: shortest first."""
    parts = path.parts[1:] if path.anchor else path.parts
    return ["/".join(parts[i:]) for i in range(len(parts) - 1, -1, -1)]


def source_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    return host or None


@dataclass(frozen=True)
class ReadContext:
    path: Path
    stored: StoredFile
    root_name: str
    received: date | None = None
    warnings: list[RecordError] = field(default_factory=list)

    @classmethod
    def for_file(cls, path: Path, root: Path, stored: StoredIds | None = None) -> ReadContext:
        """Articles of the file `path`, found under the folder `root` their path ids are relative
        to; `stored` tells what the archive holds from the file already (see StoredFile)."""
        return cls(path=path.resolve(), stored=StoredFile(path, root, stored), root_name=root.resolve().name,
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
        link = url if url and is_http_url(url) else None  # a javascript: or file: link is never shown
        if own_id:
            article_id = own_id
        elif link:
            article_id = url_id(link)
        else:  # no link, or one that is not stored: it names nothing (`javascript:void(0)` in many files)
            article_id = self.stored.path_id(record)
        if url and link is None:
            self.warnings.append(RecordError(record or "", f"the link '{url[:80]}' is not an http(s) URL: "
                                                           "stored without it"))
        notes: list[str] = []  # a numeric date read day first, when both orders make one
        try:
            day = parse_date(published, notes=notes) if published is not None else find_dateline(text, notes=notes)
        except DateProblem as problem:
            self.warnings.append(RecordError(record or "", f"stored undated: the date {problem}"))
            day = None
        self.warnings.extend(RecordError(record or "", note) for note in notes)
        return Article(
            id=article_id,
            title=(title or "").strip() or first_words(text),
            text=text,
            published=day,
            url=link,
            source=source or source_of(link) or self.stored.source(article_id) or self.root_name,
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
    """The real path of `path` relative to the real folder `root`: whichever symlink reached the
    file, the same name ('../elsewhere/x.txt' for a file in a linked folder outside `root`)."""
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
