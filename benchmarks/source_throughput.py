"""Live-source throughput: articles/s for feed parsing, WARC reading and HTML extraction.

    nice -n 10 python benchmarks/source_throughput.py [--pages 3000] [--feeds 40] [--runs 3] [--corpus PATH]

Everything is local and built in a temporary directory, so no network is involved:

  html extraction   `extract_page` (trafilatura) on N news pages, one call each
  feed parsing      `read_feed` on local RSS files whose entries carry the whole article
                    (content:encoded), 50 entries a feed: parse, extract, date, build
  warc reading      `read_warc` on a synthetic .warc.gz of N HTML pages plus one image per
                    five pages (skipped), built with warcio: stream, filter, extract, build

Article bodies come from the dev corpus (`--corpus`, default the RealTimeQA dev kit) when it is
there, else from generated sentences. Pages carry navigation, a sidebar and a footer around the
article, as real pages do. Fetching pages over HTTP is not measured: the polite client waits
`host_delay` (1 s) between two requests to a site, which is the limit there by design.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import DEV_CORPUS, header, summary

WORDS = ("council city report minister said market storm river school police court vote budget "
         "power health week officials year plan new water people first public state region").split()


def bodies(n: int, corpus: Path | None) -> list[tuple[str, str]]:
    """(title, text) for n articles: the corpus's first ones, or generated."""
    found: list[tuple[str, str]] = []
    if corpus is not None and corpus.exists():
        with gzip.open(corpus, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                text = str(record.get("text") or "")
                if len(text.split()) >= 80:
                    found.append((str(record.get("title") or "Untitled"), text))
                if len(found) >= n:
                    return found
    rng = random.Random(0)
    while len(found) < n:
        sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
                     for _ in range(rng.randint(20, 40))]
        found.append((f"Story {len(found)}", "\n\n".join(" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4))))
    return found


def page(title: str, text: str, number: int) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n") if p.strip())
    nav = "".join(f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(12))
    return (f"<!doctype html><html><head><title>{title} | Daily</title>"
            f'<meta property="article:published_time" content="2022-01-{number % 28 + 1:02d}T08:00:00Z">'
            f'<link rel="canonical" href="https://daily.example/{number}"></head><body>'
            f"<header><ul>{nav}</ul></header><main><article><h1>{title}</h1>{paragraphs}</article>"
            f"<aside><h3>Most read</h3><ul>{nav}</ul></aside></main>"
            "<footer>Copyright Daily Example. Terms. Privacy. Contact us.</footer></body></html>")


def write_feeds(folder: Path, articles: list[tuple[str, str]], per_feed: int) -> list[Path]:
    paths = []
    for start in range(0, len(articles), per_feed):
        items = []
        for offset, (title, text) in enumerate(articles[start:start + per_feed]):
            n = start + offset
            html = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
            items.append(f"<item><title><![CDATA[{title}]]></title><link>https://daily.example/{n}</link>"
                         f"<guid>https://daily.example/{n}</guid><pubDate>Mon, 03 Jan 2022 08:00:00 +0000</pubDate>"
                         f"<description><![CDATA[{text[:200]}]]></description>"
                         f"<content:encoded><![CDATA[{html}]]></content:encoded></item>")
        path = folder / f"feed-{start // per_feed}.rss"
        path.write_text('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Daily</title>'
                        f"<link>https://daily.example/</link>{''.join(items)}</channel></rss>", encoding="utf-8")
        paths.append(path)
    return paths


def write_warc(path: Path, articles: list[tuple[str, str]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    image = random.Random(1).randbytes(30_000)
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n, (title, text) in enumerate(articles):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://daily.example/{n}", "response", payload=io.BytesIO(page(title, text, n).encode()),
                http_headers=http, warc_headers_dict={"WARC-Date": "2022-02-01T00:00:00Z"}))
            if n % 5 == 0:
                http = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"https://daily.example/{n}.jpg", "response", payload=io.BytesIO(image), http_headers=http))


def timed(runs: int, work: Callable[[], int]) -> tuple[list[float], int]:
    """Seconds per run and the articles the last run produced."""
    seconds, produced = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        produced = work()
        seconds.append(time.perf_counter() - started)
    return seconds, produced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3000, help="pages in the synthetic WARC")
    parser.add_argument("--feeds", type=int, default=40, help="feed files of 50 entries each")
    parser.add_argument("--extract", type=int, default=500, help="pages for the extraction figure")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=DEV_CORPUS)
    args = parser.parse_args()

    from index.models import Article
    from ingest.feeds import read_feed
    from ingest.formats import extract_page
    from ingest.warc import read_warc

    header("live-source throughput (local files, no network)")
    articles = bodies(max(args.pages, args.feeds * 50, args.extract), args.corpus)
    source = "dev corpus" if args.corpus.exists() else "generated text"
    words = sum(len(t.split()) for _, t in articles[: args.extract]) / args.extract
    print(f"# article bodies: {source}, {words:.0f} words on average")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages = [page(t, x, n).encode() for n, (t, x) in enumerate(articles[: args.extract])]
        seconds, done = timed(args.runs, lambda: len([extract_page(p) for p in pages]))
        print(f"html extraction  {done} pages: {summary([done / s for s in seconds], 'pages/s', 1)}")

        feeds = write_feeds(folder, articles[: args.feeds * 50], 50)
        size = sum(p.stat().st_size for p in feeds) / 1e6
        seconds, done = timed(args.runs, lambda: sum(
            isinstance(item, Article) for path in feeds for item in read_feed(path)))
        print(f"feed parsing     {done} entries in {len(feeds)} files ({size:.1f} MB): "
              f"{summary([done / s for s in seconds], 'articles/s', 1)}")

        warc = folder / "crawl.warc.gz"
        write_warc(warc, articles[: args.pages])
        size = warc.stat().st_size / 1e6
        seconds, done = timed(args.runs, lambda: sum(isinstance(item, Article) for item in read_warc(warc)))
        print(f"warc reading     {done} articles from {size:.1f} MB .warc.gz: "
              f"{summary([done / s for s in seconds], 'articles/s', 1)}, "
              f"{summary([size / s for s in seconds], 'MB/s', 2)}")


if __name__ == "__main__":
    main()
