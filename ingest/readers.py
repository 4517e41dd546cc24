"""Readers: one file in, articles out. Every problem becomes an ArticleReadError with a reason."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from index.models import Article
from ingest.errors import ArticleReadError
from ingest.exports import read_json_export, read_json_lines
from ingest.records import ReadContext, ReadResult, StoredIds, first_words, source_of

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
    text = _read_text(path, max_bytes)
    if suffix in HTML_SUFFIXES:
        return context.result([read_html(text, context)])
    if suffix in JSON_SUFFIXES:
        return read_json_export(text, context)
    return context.result([read_plain(text, context)])


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


def read_plain(text: str, context: ReadContext) -> Article:
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
        return context.article(first_words(title), title)
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


def read_html(html: str, context: ReadContext) -> Article:
    page = extract_page(html)
    return context.article(
        page.title, page.text, published=page.date, url=page.url,
        source=source_of(page.url) or page.hostname,
    )
