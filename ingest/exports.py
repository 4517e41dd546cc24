"""JSON and JSONL exports: a list of records, or one record per line, streamed (a bad record is
reported, the good ones are kept; memory stays flat however big the export)."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from index.models import Article
from ingest.encodings import unicode_kind
from ingest.errors import ArticleReadError
from ingest.items import Problem, SourceItem
from ingest.records import ReadContext, ReadResult, RecordError, StoredIds

_CHUNK = 1 << 20


def read_json_lines(path: Path, context: ReadContext, max_record_bytes: int) -> ReadResult:
    """JSONL (optionally gzipped): a bad line is reported, the good ones are kept. Holds every
    article of the file; `stream_json_lines` does not."""
    articles: list[Article] = []
    errors: list[RecordError] = []
    for item in _json_lines(path, context, max_record_bytes):
        if isinstance(item, Article):
            articles.append(item)
        else:
            errors.append(item)
    return context.result(articles, errors)


def stream_json_lines(path: Path, root: Path, max_record_bytes: int,
                      stored: StoredIds | None = None) -> Iterator[SourceItem]:
    """A JSONL export (optionally gzipped) as a stream of SourceItems (see ingest/items.py): each
    article as soon as its line is read, so memory stays flat however large the export. Reports
    what `read_file` reports, as Problems (`where` = "<path> (line N)"), and never raises for
    a bad file. `stored`: as for `read_file`."""
    context = ReadContext.for_file(path, root, stored)
    reported = 0
    try:
        for item in _json_lines(path, context, max_record_bytes):
            if isinstance(item, RecordError):
                reported += 1
                yield Problem(f"{path} ({item.where})" if item.where else str(path), item.reason)
                continue
            yield item
            for note in context.warnings:
                yield Problem(f"{path} ({note.where})" if note.where else str(path), note.reason, "warning")
            context.warnings.clear()
    except _NoArticles as exc:
        if not reported:  # otherwise each bad line has been reported already
            yield Problem(str(path), str(exc))
    except ArticleReadError as exc:
        yield Problem(str(path), str(exc))


class _NoArticles(ArticleReadError):
    """Not one line of the file became an article."""


def _json_lines(path: Path, context: ReadContext, max_record_bytes: int) -> Iterator[Article | RecordError]:
    """Each line's article, or the reason it has none, as the line is read. Raises
    ArticleReadError when the file cannot be read or gives no article at all. A problem of the
    whole file (damaged or cut short) comes as a RecordError whose `where` is ""."""
    records = articles = errors = 0
    first_error: RecordError | None = None

    def error(where: str, reason: str) -> RecordError:
        nonlocal errors, first_error
        errors += 1
        first_error = first_error or RecordError(where, reason)
        return RecordError(where, reason)

    damage = gzip_damage(path) if path.suffix.lower() == ".gz" else None
    read = 0  # bytes of decompressed data read so far
    try:
        with _open_lines(path) as lines:
            for number, raw in enumerate(lines, start=1):
                read += len(raw)
                if damage is not None and read > damage.trusted:
                    yield error("", damage.report(articles))
                    break
                if not raw.strip():
                    continue
                where = f"line {number}"
                if len(raw) > max_record_bytes:
                    yield error(where, f"record is {len(raw) / 1e6:.1f} MB, above the limit")
                    continue
                try:
                    record = _json(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    yield error(where, "not valid UTF-8")
                    continue
                except ArticleReadError as exc:
                    yield error(where, str(exc))
                    continue
                records += 1
                try:
                    article = _record_article(record, where, context)
                except ArticleReadError as exc:
                    yield error(where, str(exc))
                    continue
                articles += 1
                yield article
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        if damage is not None:
            yield error("", damage.report(articles))
        elif not records:
            raise ArticleReadError(f"cannot read file: {exc}") from exc
        else:
            yield error("", f"file is cut short ({exc}): the {articles} records before the cut were read")
    if not articles:
        if first_error is not None and errors == 1:
            raise _NoArticles(f"{first_error.where}: {first_error.reason}" if first_error.where
                              else first_error.reason)
        raise _NoArticles(f"no usable article among {records} records" if records or errors
                          else "no records in the file")


@dataclass(frozen=True)
class GzipDamage:
    trusted: int  # bytes of decompressed data in the members whose checksum held
    reason: str

    def report(self, kept: int) -> str:
        read = f"the {kept} records before the damage were read, none after it" if kept else "none of its records were read"
        return f"{self.reason}: {read} (restore the file from a copy and ingest it again)"


def gzip_damage(path: Path) -> GzipDamage | None:
    """Where the data of a gzip file stops being trustworthy, or None when nothing is damaged.

    Read once to the end before any record is used: a changed byte may decode to changed text and
    show only in the checksum at the end of its member, so only whole members whose checksum held
    are trusted (an appended export, or a file of many members, keeps the ones before the damage).
    A file merely cut short is not damaged: what it holds was decoded from intact bytes."""
    trusted = member = 0
    decoder = zlib.decompressobj(wbits=31)
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                while chunk:
                    member += len(decoder.decompress(chunk, _CHUNK))
                    if not decoder.eof:
                        chunk = decoder.unconsumed_tail
                        continue
                    trusted, member, chunk = trusted + member, 0, decoder.unused_data
                    if not chunk.strip(b"\0"):  # zero padding after the last member
                        break
                    decoder = zlib.decompressobj(wbits=31)
    except zlib.error as exc:
        return GzipDamage(trusted, f"the gzip data is corrupt ({exc})")
    except OSError:
        return None  # reported when the file is read
    return None


def _open_lines(path: Path) -> IO[bytes]:
    if path.stat().st_size == 0:
        raise ArticleReadError("file is empty")
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    with path.open("rb") as probe:
        head = probe.read(8192)
    wide = unicode_kind(head)
    if wide:
        raise ArticleReadError(f"{wide} text: a JSONL export is read as UTF-8 (re-save it as UTF-8)")
    if b"\x00" in head:
        raise ArticleReadError("binary file, not text")
    return path.open("rb")


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if exc.lineno > 1 or "\n" in text else ""
        raise ArticleReadError(f"invalid JSON{where}: {exc.msg} (truncated?)") from exc
    except RecursionError:
        raise ArticleReadError("JSON nested too deeply to be an article export") from None


def read_json_export(text: str, context: ReadContext) -> ReadResult:
    """A JSON export: one object, a list of objects, or {"articles": [...]}."""
    data = _json(text)
    items = data if isinstance(data, list) else data.get("articles", [data]) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ArticleReadError("expected a JSON object or a list of objects")
    return _records_to_articles([(f"item {i}", item) for i, item in enumerate(items, start=1)], [], context)


def _records_to_articles(records: list[tuple[str, Any]], errors: list[RecordError], context: ReadContext) -> ReadResult:
    """Fields: title, text|body, published|date, url, source (and an optional own id)."""
    articles = []
    for where, record in records:
        try:
            articles.append(_record_article(record, where, context))
        except ArticleReadError as exc:
            errors.append(RecordError(where, str(exc)))
    if not articles:
        reason = errors[0].reason if len(errors) == 1 else f"no usable article among {len(records)} records"
        if not records and not errors:
            reason = "no records in the file"
        raise ArticleReadError(reason if len(errors) != 1 else f"{errors[0].where}: {reason}")
    return context.result(articles, errors)


def _record_article(record: Any, where: str, context: ReadContext) -> Article:
    if not isinstance(record, dict):
        raise ArticleReadError("record is not a JSON object")
    body = record.get("text") or record.get("body") or record.get("content")
    if not isinstance(body, str) or not body.strip():
        raise ArticleReadError("record has no 'text' or 'body'")
    own_id = record.get("id")
    if own_id is not None and (isinstance(own_id, bool) or not isinstance(own_id, (str, int))):
        raise ArticleReadError(f"'id' must be a string or a whole number, not {json.dumps(own_id)[:40]}")
    # An export's record is dated by its fields only: "" (none) keeps the text's first lines unread.
    published = next((record[k] for k in ("published", "date") if record.get(k) not in (None, "")), "")
    return context.article(
        _text_field(record, "title") or "", body, published=published, url=_text_field(record, "url"),
        source=_text_field(record, "source"), record=where,
        own_id=str(own_id) if own_id is not None and own_id != "" else None,
    )


def _text_field(record: dict[str, Any], key: str) -> str | None:
    """An optional text field; any other type is an error, never its printed form."""
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise ArticleReadError(f"'{key}' must be text, not {type(value).__name__} {json.dumps(value)[:40]}")
