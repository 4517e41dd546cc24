"""Readers: one file in, articles out. Every problem becomes an ArticleReadError with a reason."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from index.models import Article
from ingest.encodings import declared_encoding, decode
from ingest.errors import ArticleReadError
from ingest.exports import read_json_export, read_json_lines
from ingest.records import (
    ReadContext,
    ReadResult,
    RecordError,
    StoredIds,
    first_words,
    normalize_url,
    source_of,
)

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
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:(.*?)\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_OPENING_RULE = re.compile(r"\A---[ \t]*\n")
_FIELD_LINE = re.compile(r"[A-Za-z][\w-]*[ \t]*:|[ \t]+\S")  # "title: ...", or indented under one
_HEADING = re.compile(r"\A\s*#{1,6}[ \t]+(.+?)[ \t#]*(?:\n|\Z)")
# An HTML page whose main text is shorter than this is navigation, a consent banner or an index
# page, not an article (a one-paragraph news brief is 40 words or more).
MIN_HTML_WORDS = 15


def read_file(path: Path, root: Path, max_bytes: int, stored: StoredIds | None = None) -> ReadResult:
    """Read one file of any supported format. Raises ArticleReadError when nothing can be used.
    `stored`: the ids stored from a file, so that it keeps them (`ingest.records.PathIds`)."""
    suffix = suffix_of(path)
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleReadError(
            f"unsupported file type '{suffix or 'none'}' (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"
        )
    context = ReadContext.for_file(path, root, stored)
    if suffix in LINES_SUFFIXES:
        return read_json_lines(path, context, max_bytes)
    text = _read_text(path, max_bytes, markup=suffix in HTML_SUFFIXES)
    if suffix in HTML_SUFFIXES:
        return context.result([read_html(text, context)])
    if suffix in JSON_SUFFIXES:
        return read_json_export(text, context)
    return context.result([read_plain(text, context)])


def _read_text(path: Path, max_bytes: int, markup: bool = False) -> str:
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
    text = decode(raw, markup)
    if text is None or "\x00" in text[:8192]:
        raise ArticleReadError(_undecodable(raw, markup))
    if not text.strip():
        raise ArticleReadError("file is empty (only whitespace)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _undecodable(raw: bytes, markup: bool) -> str:
    """Why a file's bytes are not text newsdesk reads (see ingest.encodings)."""
    if b"\x00" in raw[:8192]:
        return "binary file, not text"
    where = "invalid bytes"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
    declared = declared_encoding(raw) if markup else None
    if declared:
        return f"not valid UTF-8 ({where}), nor valid {declared} as the page declares; re-save it as UTF-8"
    declare = " or declare its encoding (<meta charset=\"...\">)" if markup else ""
    return f"not valid UTF-8 ({where}) and no other encoding declared; re-save it as UTF-8{declare}"


def read_plain(text: str, context: ReadContext) -> Article:
    """Seed format, front-matter markdown, or plain text whose first line is the title."""
    front = _front_matter(text, context)
    if front is not None and front[0]:
        fields, body = front
        title = fields.get("title", "")
        heading = _HEADING.match(body)
        if heading and (not title or heading.group(1).strip() == title):  # "# Title": not evidence
            title, body = heading.group(1).strip(), body[heading.end():]
        return context.article(
            title, body, published=fields.get("published") or fields.get("date") or None,
            url=fields.get("url"), source=fields.get("source"),
        )
    if front is not None:  # a rule above the text, not a title
        text = front[1]
    first, _, body = text.lstrip("\n").partition("\n")
    seed = _SEED_HEADER.match(first)
    if seed:
        return context.article(seed.group(2), body, published=seed.group(1))
    title = first.strip().lstrip("#").strip()
    if not body.strip():  # a one-line file: the line is the article
        return context.article(first_words(title), title)
    return context.article(title, body)


def _front_matter(text: str, context: ReadContext) -> tuple[dict[str, str], str] | None:
    """The fields and the body of a text that opens with a `---` line; None when it does not.
    Without its closing `---`, the field lines (`key: value`, and indented ones under them) that
    follow the opening are the front matter, and a warning says so."""
    closed = _FRONT_MATTER.match(text)
    if closed:
        block, body = closed.group(1) or "", text[closed.end():]
    else:
        opening = _OPENING_RULE.match(text)
        if not opening:
            return None
        lines = text[opening.end():].split("\n")
        count = next((i for i, line in enumerate(lines) if not _FIELD_LINE.match(line)), len(lines))
        block, body = "\n".join(lines[:count]), "\n".join(lines[count:])
        if count:
            context.warnings.append(RecordError("", "the front matter has no closing '---' line: its "
                                                    f"fields were read up to line {count + 1} (add the line)"))
    fields = {k.strip().lower(): v.strip().strip("'\"") for k, _, v in
              (line.partition(":") for line in block.splitlines()) if k.strip()}
    return fields, body


@dataclass(frozen=True)
class Page:
    """An HTML page's main text and its own metadata, as trafilatura finds them."""

    title: str
    text: str
    date: str  # the page's own publication date, "" when it names none
    url: str | None  # its canonical URL, when it names one
    hostname: str | None


def extract_page(html: str | bytes, metadata: bool = True) -> Page:
    """The article in an HTML page (bytes: decoded as `ingest.encodings` says, else guessed).
    Raises ArticleReadError when there is none, or too little text to be an article. Without
    `metadata` (a feed entry's HTML: no title, date or URL to find), only the text is looked for,
    several times faster."""
    import trafilatura

    if isinstance(html, bytes):  # what the page declares first; otherwise trafilatura guesses
        html = decode(html, markup=True) or html
    extracted = trafilatura.extract(
        html, output_format="json", with_metadata=metadata, include_comments=False, include_tables=False,
        date_extraction_params=_METADATA_DATE,
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
    published = data.get("date") or (_date_in_text(html) if metadata else "")
    return Page(title, text, published, url, data.get("source-hostname") or None)


# The page's own date from its metadata, whenever it is: trafilatura's default drops a date after
# today in silence, and newsdesk reports it (stored undated) or keeps it (within a day or two).
_METADATA_DATE = {"original_date": True, "extensive_search": False, "max_date": "2999-12-31"}


def _date_in_text(html: str | bytes) -> str:
    """A page whose metadata names no date: a date from its text and mark-up, as trafilatura finds
    one by default (none after today: a date in the text is as often an event's)."""
    from htmldate import find_date

    found = find_date(html, extensive_search=True, original_date=True, max_date=date.today().isoformat())
    return found or ""


def read_html(html: str, context: ReadContext) -> Article:
    """A saved web page. Its canonical URL is its URL and id, unless that is the site's root."""
    page = extract_page(html)
    url = None if page.url is None or is_site_root(page.url) else page.url
    return context.article(
        page.title, page.text, published=page.date, url=url, source=source_of(page.url) or page.hostname,
    )


def is_site_root(url: str) -> bool:
    """The home page ("https://www.daily.example/", ".../index.html"): every page may call it
    canonical, so it names no article. A query names a page ("/?p=42")."""
    parts = urlsplit("//" + normalize_url(url))  # host, path and query without what does not matter
    return not parts.path.strip("/") and not parts.query


def without_url(article: Article, path: Path, root: Path) -> Article:
    """The page read from `path` named by its path, not by the URL it calls canonical (a URL other
    pages of the run, under other titles, call canonical too: a section page's)."""
    return ReadContext.for_file(path, root).article(
        article.title, article.text, published=article.published or "", source=article.source,
    )
