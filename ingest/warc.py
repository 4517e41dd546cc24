"""WARC web archives (`.warc`, `.warc.gz`) as a stream of SourceItems (see ingest/items.py).

    read_warc(path) -> Iterator[Article | Problem]

Records are read one at a time (warcio's ArchiveIterator), so a multi-GB archive never sits in
memory: at most one page of `max_record_bytes` does. Only HTML responses with status 200 become
articles, each with

    url, id     the record's WARC-Target-URI, url_id(url)
    received    the capture day (WARC-Date): an undated page is available to as-of questions
                from then on
    published   the page's own date metadata, when it names one no later than its capture;
                otherwise the article is undated

A URL captured again later is read once (the first capture). What is skipped is reported once
per reason, counted, with a few examples: non-HTML responses, responses other than 200 OK,
revisit records, pages without article text, records above the size limit. Request, metadata
and warcinfo records are the archive's bookkeeping and pass in silence.

A file cut short or corrupt keeps every record read before the break and reports the break once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from index.models import Article
from ingest.dates import DateProblem, parse_date
from ingest.errors import ArticleReadError
from ingest.fetch import MB
from ingest.formats import extract_page
from ingest.items import Problem, ProblemKind, SkipTally, SourceItem, pick_date
from ingest.pages import looks_like_html
from ingest.records import source_of, url_id

MAX_RECORD_BYTES = 20 * MB
WARC_SUFFIXES = (".warc", ".warc.gz")


def read_warc(path: Path, *, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[SourceItem]:
    from warcio.archiveiterator import ArchiveIterator

    origin = str(path)
    tally = SkipTally()
    reader = _Records(path, max_record_bytes)
    try:
        size = path.stat().st_size
        stream = path.open("rb")
    except OSError as exc:
        yield Problem(origin, f"cannot read file: {exc.strerror or exc}")
        return
    if size == 0:
        stream.close()
        yield Problem(origin, "file is empty")
        return
    records = 0
    end = 0  # where the last whole record ends in the file
    with stream:
        archive = ArchiveIterator(stream)
        try:
            for record in archive:
                if records == 0 and record.format not in ("warc", None):
                    yield Problem(origin, "not a WARC file (no WARC record at its start)")
                    return
                records += 1
                items = reader.read(record, records)
                # Drain the record: its length is known only then, and a record cut short shows.
                end = archive.get_record_offset() + archive.get_record_length()
                if record.raw_stream.limit > 0:
                    yield _broken(origin, records - 1, "its last record is cut short")
                    break
                for skipped in reader.skipped:  # counted only for a whole record
                    tally.add(*skipped)
                yield from items
            else:
                if _leftover(stream, end, size):
                    yield _broken(origin, records, "it ends in the middle of a record")
        except Exception as exc:  # noqa: BLE001 - whatever warcio raises on a broken file
            if records == 0:
                yield Problem(origin, f"not a WARC file ({_short(exc)})")
                return
            yield _broken(origin, records, _short(exc))
    if records == 0:
        yield Problem(origin, "no WARC records in the file")
    yield from tally.problems(origin)


def _broken(origin: str, kept: int, why: str) -> Problem:
    return Problem(origin, f"the WARC file is cut short or corrupt ({why}); "
                           f"the {kept} records before the break were read")


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:120]}"


def _leftover(stream: Any, end: int, size: int) -> bool:
    """Bytes after the last whole record other than blank lines: a record cut off early."""
    if size - end <= 0:
        return False
    stream.seek(end)
    return bool(stream.read(4096).strip())


class _Records:
    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = str(path.resolve())
        self.max_bytes = max_bytes
        self.seen: set[str] = set()  # article ids read: a later capture of a URL is skipped
        self.skipped: list[tuple[str, str, ProblemKind]] = []  # the last record's, for a SkipTally

    def read(self, record: Any, number: int) -> list[SourceItem]:
        """What one record gives; its content is read here and nowhere else."""
        self.skipped = []
        if record.rec_type == "revisit":
            self._skip("revisit record{s} (captures of an unchanged page): skipped", _uri(record))
            return []
        if record.rec_type != "response":
            return []  # requests, metadata, warcinfo: the archive's bookkeeping
        uri = _uri(record)
        where = uri or f"{self.path} (record {number})"
        http = record.http_headers
        status = http.get_statuscode() if http is not None else None
        if not uri.startswith(("http://", "https://")):
            self._skip("response{s} not from an http(s) URL: skipped", where)
            return []
        if status != "200":
            self._skip("response{s} other than 200 OK: skipped", f"{uri} ({status or 'no status'})")
            return []
        media = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
        if media not in ("text/html", "application/xhtml+xml", "", "application/octet-stream", "text/plain"):
            self._skip("non-HTML response{s}: skipped", f"{uri} ({media})")
            return []
        try:
            body = record.content_stream().read(self.max_bytes + 1)
        except Exception as exc:  # noqa: BLE001 - a body warcio cannot decode (bad gzip, chunking)
            self._skip("page{s} whose content could not be decoded", f"{uri} ({type(exc).__name__})", "failed")
            return []
        if len(body) > self.max_bytes:
            self._skip(f"page{{s}} above the {self.max_bytes / MB:g} MB limit: skipped", uri)
            return []
        if not looks_like_html(media, body):
            self._skip("non-HTML response{s}: skipped", f"{uri} ({media or 'no content type'})")
            return []
        article_id = url_id(uri)
        if article_id in self.seen:
            self._skip("later capture{s} of a URL already read: skipped", uri)
            return []
        captured, items = self._capture_day(record, uri)
        try:
            page = extract_page(body)
        except ArticleReadError:
            self._skip("page{s} without article text (navigation, index or consent pages?)", uri, "failed")
            return []
        except Exception as exc:  # noqa: BLE001 - one odd page must not sink the archive
            self._skip("page{s} that could not be read", f"{uri} ({type(exc).__name__})", "failed")
            return []
        self.seen.add(article_id)
        # A page cannot be published after it was captured: a later date is not its own.
        published, warning = pick_date([page.date], uri, today=captured)
        text = page.text.strip()
        article = Article(
            id=article_id, title=page.title.strip() or " ".join(text.split()[:12]), text=text,
            published=published, url=uri, source=source_of(uri), path=self.path, received=captured,
        )
        return [article, *items, *([warning] if warning else [])]

    def _skip(self, reason: str, example: str, kind: ProblemKind = "skipped") -> None:
        self.skipped.append((reason, example, kind))

    def _capture_day(self, record: Any, uri: str) -> tuple[date | None, list[SourceItem]]:
        value = record.rec_headers.get_header("WARC-Date") or ""
        try:
            return parse_date(value), []
        except DateProblem as problem:
            return None, [Problem(uri, f"capture date unusable: {problem}", "warning")]


def _uri(record: Any) -> str:
    return str(record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
