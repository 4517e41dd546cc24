"""Readers: one file in, articles out. Every problem becomes an ArticleReadError with a reason."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from index.models import Article
from ingest.dates import DateProblem, find_dateline, parse_date
from ingest.errors import ArticleReadError
from ingest.items import Problem, SourceItem

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
LINES_SUFFIXES = {".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"}  # streamed: no file size limit
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | {".jsonl.gz", ".ndjson.gz"}


def suffix_of(path: Path) -> str:
    """`.jsonl.gz` counts as one suffix; everything else is the last one, lower-cased."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if len(suffixes) == 2 and suffixes[1] == ".gz":
        return "".join(suffixes)
    return path.suffix.lower()

# The seed archive's header line: " date 2022-01-06 Title".
_SEED_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+(.+?)\s*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_TRACKING = re.compile(r"^(utm_.*|cid|amp|fbclid|gclid|ref|smid)$")
_HEADING = re.compile(r"\A\s*#{1,6}[ \t]+(.+?)[ \t#]*(?:\n|\Z)")
# An HTML page whose main text is shorter than this is navigation, a consent banner or an index
# page, not an article (a one-paragraph news brief is 40 words or more).
MIN_HTML_WORDS = 15


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


def read_file(path: Path, root: Path, max_bytes: int) -> ReadResult:
    """Read one file of any supported format. Raises ArticleReadError when nothing can be used."""
    suffix = suffix_of(path)
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleReadError(
            f"unsupported file type '{suffix or 'none'}' (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"
        )
    context = _Context(path=path.resolve(), relative=_relative(path, root), root_name=root.resolve().name,
                       received=_modified_day(path))
    if suffix in LINES_SUFFIXES:
        return read_json_lines(path, context, max_bytes)
    text = _read_text(path, max_bytes)
    if suffix in HTML_SUFFIXES:
        return context.result([read_html(text, context)])
    if suffix in JSON_SUFFIXES:
        return read_json_export(text, context)
    return context.result([read_plain(text, context)])


@dataclass(frozen=True)
class _Context:
    path: Path
    relative: str
    root_name: str
    received: date | None = None
    warnings: list[RecordError] = field(default_factory=list)

    def result(self, articles: list[Article], errors: list[RecordError] | None = None) -> ReadResult:
        return ReadResult(articles, errors or [], list(self.warnings))

    def article(self, title: str, text: str, published: Any = None, url: str | None = None,
                source: str | None = None, record: str | None = None, own_id: str | None = None) -> Article:
        """`published`: the record's own date value; None when it has none (then the text's
        dateline, if any, is used)."""
        text = text.strip()
        if not text:
            raise ArticleReadError("no article text found")
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
            title=(title or "").strip() or _first_words(text),
            text=text,
            published=day,
            url=url or None,
            source=source or source_of(url) or self.root_name,
            path=str(self.path),
            received=self.received,
        )


def _modified_day(path: Path) -> date | None:
    """The day the file was last written (never later than today): when newsdesk could first know it."""
    try:
        return min(date.fromtimestamp(path.stat().st_mtime), date.today())
    except (OSError, ValueError, OverflowError):
        return None


def _read_text(path: Path, max_bytes: int) -> str:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleReadError(
                f"file is {size / 1e6:.1f} MB, above the {max_bytes / 1e6:.0f} MB limit "
                "(raise it with NEWSDESK_INGEST_MAX_FILE_MB)"
            )
        if size == 0:
            raise ArticleReadError("file is empty")
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleReadError(f"cannot read file: {exc.strerror or exc}") from exc
    if b"\x00" in raw[:8192]:
        raise ArticleReadError("binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleReadError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); re-save it as UTF-8"
        ) from exc
    if not text.strip():
        raise ArticleReadError("file is empty (only whitespace)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _first_words(text: str, words: int = 12) -> str:
    return " ".join(text.split()[:words])


def read_plain(text: str, context: _Context) -> Article:
    """Seed format, front-matter markdown, or plain text whose first line is the title."""
    front = _FRONT_MATTER.match(text)
    if front:
        fields = dict(
            (k.strip().lower(), v.strip().strip("'\"")) for k, _, v in
            (line.partition(":") for line in front.group(1).splitlines()) if k.strip()
        )
        body = text[front.end():]
        title = fields.get("title", "")
        heading = _HEADING.match(body)
        if heading and (not title or heading.group(1).strip() == title):  # "# Title": not evidence
            title, body = heading.group(1).strip(), body[heading.end():]
        return context.article(
            title, body, published=fields.get("published") or fields.get("date") or None,
            url=fields.get("url"), source=fields.get("source"),
        )
    first, _, body = text.lstrip("\n").partition("\n")
    seed = _SEED_HEADER.match(first)
    if seed:
        return context.article(seed.group(2), body, published=seed.group(1))
    title = first.strip().lstrip("#").strip()
    if not body.strip():  # a one-line file: the line is the article
        return context.article(_first_words(title), title)
    return context.article(title, body)


@dataclass(frozen=True)
class Page:
    """An HTML page's main text and its own metadata, as trafilatura finds them."""

    title: str
    text: str
    date: str  # the page's own publication date, "" when it names none
    url: str | None  # its canonical URL, when it names one
    hostname: str | None


def extract_page(html: str | bytes, metadata: bool = True) -> Page:
    """The article in an HTML page (bytes: the encoding is detected). Raises ArticleReadError
    when there is none, or too little text to be an article. Without `metadata` (a feed entry's
    HTML: no title, date or URL to find), only the text is looked for, several times faster."""
    import trafilatura

    extracted = trafilatura.extract(
        html, output_format="json", with_metadata=metadata, include_comments=False, include_tables=False
    )
    if not extracted:
        raise ArticleReadError("no article text found in the HTML page")
    data = json.loads(extracted)
    url = data.get("source") if str(data.get("source") or "").startswith("http") else None
    text = data.get("text") or ""
    title = data.get("title") or ""
    # trafilatura repeats the headline as the first line of the text; keep the body only.
    if title and text.startswith(title + "\n"):
        text = text[len(title) + 1:]
    words = len(text.split())
    if words < MIN_HTML_WORDS:
        raise ArticleReadError(
            f"no article text found in the HTML page (only {words} words of page text: "
            "a navigation, index or consent page?)"
        )
    return Page(title, text, data.get("date") or "", url, data.get("source-hostname") or None)


def read_html(html: str, context: _Context) -> Article:
    page = extract_page(html)
    return context.article(
        page.title, page.text, published=page.date, url=page.url,
        source=source_of(page.url) or page.hostname,
    )


def read_json_lines(path: Path, context: _Context, max_record_bytes: int) -> ReadResult:
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


def stream_json_lines(path: Path, root: Path, max_record_bytes: int) -> Iterator[SourceItem]:
    """A JSONL export (optionally gzipped) as a stream of SourceItems (see ingest/items.py): each
    article as soon as its line is read, so memory stays flat however large the export. Reports
    what `read_file` reports, as Problems (`where` = "<path> (line N)"), and never raises for
    a bad file."""
    context = _Context(path=path.resolve(), relative=_relative(path, root), root_name=root.resolve().name,
                       received=_modified_day(path))
    reported = 0
    try:
        for item in _json_lines(path, context, max_record_bytes):
            if isinstance(item, RecordError):
                reported += 1
                yield Problem(f"{path} ({item.where})", item.reason)
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


def _json_lines(path: Path, context: _Context, max_record_bytes: int) -> Iterator[Article | RecordError]:
    """Each line's article, or the reason it has none, as the line is read. Raises
    ArticleReadError when the file cannot be read or gives no article at all."""
    records = articles = errors = 0
    first_error: RecordError | None = None

    def error(where: str, reason: str) -> RecordError:
        nonlocal errors, first_error
        errors += 1
        first_error = first_error or RecordError(where, reason)
        return RecordError(where, reason)

    try:
        with _open_lines(path) as lines:
            for number, raw in enumerate(lines, start=1):
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
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        if not records:
            raise ArticleReadError(f"cannot read file: {exc}") from exc
        yield error("end of file", f"file is cut short: {exc}")
    if not articles:
        if first_error is not None and errors == 1:
            raise _NoArticles(f"{first_error.where}: {first_error.reason}")
        raise _NoArticles(f"no usable article among {records} records" if records or errors
                          else "no records in the file")


def _open_lines(path: Path) -> IO[bytes]:
    if path.stat().st_size == 0:
        raise ArticleReadError("file is empty")
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    with path.open("rb") as probe:
        if b"\x00" in probe.read(8192):
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


def read_json_export(text: str, context: _Context) -> ReadResult:
    """A JSON export: one object, a list of objects, or {"articles": [...]}."""
    data = _json(text)
    items = data if isinstance(data, list) else data.get("articles", [data]) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ArticleReadError("expected a JSON object or a list of objects")
    return _records_to_articles([(f"item {i}", item) for i, item in enumerate(items, start=1)], [], context)


def _records_to_articles(records: list[tuple[str, Any]], errors: list[RecordError], context: _Context) -> ReadResult:
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


def _record_article(record: Any, where: str, context: _Context) -> Article:
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



