"""Readers: one file in, articles out. Every problem becomes an ArticleReadError with a reason."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from index.errors import ArticleReadError
from index.models import Article
from ingest.dates import find_dateline, parse_date

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


@dataclass(frozen=True)
class RecordError:
    """A bad record inside an otherwise readable file (e.g. one broken line of a JSONL export)."""

    where: str
    reason: str


@dataclass(frozen=True)
class ReadResult:
    articles: list[Article]
    errors: list[RecordError]


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
    context = _Context(path=path.resolve(), relative=_relative(path, root), root_name=root.resolve().name)
    if suffix in LINES_SUFFIXES:
        return read_json_lines(path, context, max_bytes)
    text = _read_text(path, max_bytes)
    if suffix in HTML_SUFFIXES:
        return ReadResult([read_html(text, context)], [])
    if suffix in JSON_SUFFIXES:
        return read_json_export(text, context)
    return ReadResult([read_plain(text, context)], [])


@dataclass(frozen=True)
class _Context:
    path: Path
    relative: str
    root_name: str

    def article(self, title: str, text: str, published: Any = None, url: str | None = None,
                source: str | None = None, record: str | None = None, own_id: str | None = None) -> Article:
        text = text.strip()
        if not text:
            raise ArticleReadError("no article text found")
        if own_id:
            article_id = own_id
        elif url:
            article_id = url_id(url)
        else:
            article_id = path_id(self.relative + (f"#{record}" if record else ""))
        return Article(
            id=article_id,
            title=(title or "").strip() or _first_words(text),
            text=text,
            published=parse_date(published) if published is not None else find_dateline(text),
            url=url or None,
            source=source or source_of(url) or self.root_name,
            path=str(self.path),
        )


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
        return context.article(
            fields.get("title", ""), text[front.end():],
            published=fields.get("published") or fields.get("date"),
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


def read_html(html: str, context: _Context) -> Article:
    import trafilatura

    extracted = trafilatura.extract(
        html, output_format="json", with_metadata=True, include_comments=False, include_tables=False
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
    return context.article(
        title, text, published=data.get("date") or "", url=url,
        source=source_of(url) or data.get("source-hostname"),
    )


def read_json_lines(path: Path, context: _Context, max_record_bytes: int) -> ReadResult:
    """JSONL (optionally gzipped), streamed: a bad line is reported, the good ones are kept."""
    records: list[tuple[str, Any]] = []
    errors: list[RecordError] = []
    try:
        with _open_lines(path) as lines:
            for number, raw in enumerate(lines, start=1):
                if not raw.strip():
                    continue
                where = f"line {number}"
                if len(raw) > max_record_bytes:
                    errors.append(RecordError(where, f"record is {len(raw) / 1e6:.1f} MB, above the limit"))
                    continue
                try:
                    records.append((where, json.loads(raw.decode("utf-8"))))
                except UnicodeDecodeError:
                    errors.append(RecordError(where, "not valid UTF-8"))
                except json.JSONDecodeError as exc:
                    errors.append(RecordError(where, f"invalid JSON: {exc.msg} (truncated?)"))
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        if not records:
            raise ArticleReadError(f"cannot read file: {exc}") from exc
        errors.append(RecordError("end of file", f"file is cut short: {exc}"))
    return _records_to_articles(records, errors, context)


def _open_lines(path: Path) -> IO[bytes]:
    if path.stat().st_size == 0:
        raise ArticleReadError("file is empty")
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    with path.open("rb") as probe:
        if b"\x00" in probe.read(8192):
            raise ArticleReadError("binary file, not text")
    return path.open("rb")


def read_json_export(text: str, context: _Context) -> ReadResult:
    """A JSON export: one object, a list of objects, or {"articles": [...]}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArticleReadError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg} (truncated file?)"
        ) from exc
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
    return ReadResult(articles, errors)


def _record_article(record: Any, where: str, context: _Context) -> Article:
    if not isinstance(record, dict):
        raise ArticleReadError("record is not a JSON object")
    body = record.get("text") or record.get("body") or record.get("content")
    if not isinstance(body, str) or not body.strip():
        raise ArticleReadError("record has no 'text' or 'body'")
    url = record.get("url") if isinstance(record.get("url"), str) else None
    published = record.get("published") or record.get("date") or ""
    own_id = record.get("id")
    return context.article(
        str(record.get("title") or ""), body, published=published, url=url,
        source=record.get("source") if isinstance(record.get("source"), str) else None,
        record=where, own_id=str(own_id) if isinstance(own_id, (str, int)) and own_id != "" else None,
    )


