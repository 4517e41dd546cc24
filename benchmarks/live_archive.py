"""A live archive, end to end: feed and WARC ingest through `newsdesk ingest` with the real
encoder, the delay from "an ingest finished in another process" to "the Slack bot answers from
it", and the cost of one refresh on a large archive.

    nice -n 10 python benchmarks/live_archive.py throughput [--articles 50] [--runs 2]
    nice -n 10 python benchmarks/live_archive.py delay [--rounds 5] [--seed-articles 100] [--server]
    nice -n 10 python benchmarks/live_archive.py refresh [--articles 4750] [--runs 3]

throughput  the same N dev-corpus articles ingested, each into a fresh data directory, as a
            JSONL export (the baseline), RSS files with full-text entries, a .warc.gz (plus one
            image per five pages, skipped), and a feed URL on 127.0.0.1 whose entries are fetched
            page by page (NEWSDESK_INGEST_FETCH_DELAY=0: politeness is not what is measured).
            `newsdesk ingest` in a fresh interpreter; wall time, the pipeline's own seconds,
            articles/s and chunks/s.
delay       `newsdesk slack --http` (default NEWSDESK_REFRESH_SECONDS, 5 s) on an archive of the
            first --seed-articles dev articles, against the fake Slack of the tests. Each round
            writes a new article, runs `newsdesk ingest` on it in another process, then mentions
            the bot every 0.5 s until the reply quotes it: the delay is from the ingest process's
            exit to the reply that quotes it (answering time included). --server: the same with
            a `chroma run` server, the writer using another data directory (another machine).
refresh     one LiveAnswerer.refresh() on a store of the first --articles dev articles with
            hashing vectors (384-d; the model would take hours here): when the writer saved the
            lexical index (the same data directory: loaded) and when the reader must build it
            (another machine in server mode, or a writer that was interrupted).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import common
from common import REPO, cli, corpus_subset, header, summary
from source_throughput import bodies, page, write_feeds, write_warc

FAST_FETCH = {"NEWSDESK_INGEST_FETCH_DELAY": "0", "NEWSDESK_INGEST_ALLOW_HOSTS": "127.0.0.1"}


# -- throughput ------------------------------------------------------------------------------------


def throughput(n: int, runs: int) -> None:
    from tests.web_fake import Reply, fake_web

    articles = bodies(n, common.DEV_CORPUS)
    with tempfile.TemporaryDirectory() as tmp, fake_web() as web:
        folder = Path(tmp)
        export = folder / "export.jsonl.gz"
        with gzip.open(export, "wt", encoding="utf-8") as sink:
            for i, (title, text) in enumerate(articles):
                sink.write(json.dumps({"id": f"a{i}", "title": title, "text": text, "published": "2022-01-03"}) + "\n")
        (folder / "feeds").mkdir()
        feeds = write_feeds(folder / "feeds", articles, 50)
        warc = folder / "crawl.warc.gz"
        write_warc(warc, articles)
        items = "".join(f"<item><title>{t}</title><link>{web.url(f'/{i}')}</link></item>"
                        for i, (t, _) in enumerate(articles))
        web.serve("/feed.xml", Reply(body=f'<?xml version="1.0"?><rss version="2.0"><channel><title>D</title>'
                                          f"{items}</channel></rss>", content_type="application/rss+xml"))
        for i, (title, text) in enumerate(articles):
            web.serve(f"/{i}", Reply(body=page(title, text, i)))
        kinds = {"jsonl export (baseline)": [str(export)], f"rss files ({len(feeds)})": [str(p) for p in feeds],
                 "warc.gz": [str(warc)], "feed URL, pages over HTTP": [web.url("/feed.xml")]}
        baseline = 0.0
        for kind, args in kinds.items():
            walls, inner, report = [], [], {}
            for run in range(runs):
                started = time.perf_counter()
                done = cli("ingest", *args, "--json", "--data-dir", str(folder / f"home-{kind[:4]}-{run}"),
                           env=FAST_FETCH)
                walls.append(time.perf_counter() - started)
                report = json.loads(done.stdout)
                inner.append(float(report["seconds"]))
            added, chunks = int(report["added"]), int(report["chunks_added"])
            rate = sorted(chunks / s for s in inner)[len(inner) // 2]
            baseline = baseline or rate
            print(f"{kind:28} {added} articles, {chunks} chunks, {len(report['failed'])} failed; wall "
                  f"{summary(walls, 's', 1)}; pipeline {summary(inner, 's', 1)}; "
                  f"{summary([added / s for s in inner], 'articles/s', 2)}; "
                  f"{summary([chunks / s for s in inner], 'chunks/s', 1)}; {rate / baseline:.2f}x the baseline")


# -- delay ---------------------------------------------------------------------------------------------


@contextmanager
def chroma_server(folder: Path) -> Iterator[str]:
    from tests.test_server_mode import running_chroma

    with running_chroma(folder) as server:
        yield server.url


def delay(rounds: int, seed_articles: int, server: bool) -> None:
    from tests.slack_fake import (
        FakeSlack,
        event_envelope,
        free_port,
        mention,
        post_signed,
        wait_for,
    )
    from tests.test_slack_cli import SECRET, port_open

    with tempfile.TemporaryDirectory() as tmp, closing(FakeSlack()) as fake, \
            (chroma_server(Path(tmp)) if server else _nothing()) as url:
        folder = Path(tmp)
        env = {"NEWSDESK_CHROMA_URL": url} if url else {}
        bot_home = folder / "bot-home"
        writer_home = folder / "writer-home" if server else bot_home
        seed = corpus_subset(seed_articles, folder / "seed.jsonl.gz")
        started = time.perf_counter()
        done = cli("ingest", str(seed), "--json", "--data-dir", str(writer_home), env=env)
        report = json.loads(done.stdout)
        print(f"archive: {report['added']} articles, {report['chunks_added']} chunks "
              f"(ingested in {time.perf_counter() - started:.0f} s)")
        port = free_port()
        log_path = folder / "bot.log"
        bot_env = {**os.environ, "PYTHONPATH": str(REPO), "SLACK_BOT_TOKEN": "xoxb-bench",
                   "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url, **env}
        with log_path.open("w") as log:
            bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "slack", "--http", "--verbose", "--port",
                                    str(port), "--host", "127.0.0.1", "--data-dir", str(bot_home)],
                                   env=bot_env, stdout=log, stderr=subprocess.STDOUT)
            try:
                wait_for(lambda: port_open(port), timeout=300, what="the bot")
                asked = 0

                def ask(question: str) -> str:
                    nonlocal asked
                    asked += 1
                    before = len(fake.received("reactions.remove"))
                    body = event_envelope(mention(question, f"{int(time.time())}.{asked:06d}"), f"EvBENCH{asked:05d}")
                    post_signed(f"http://127.0.0.1:{port}/slack/events", body, SECRET, "application/json")
                    wait_for(lambda: len(fake.received("reactions.remove")) > before, timeout=300, what="an answer")
                    return fake.received("chat.postMessage")[-1].blocks_json

                delays, asks = [], []
                for round_ in range(rounds):
                    word = f"Quorvex{round_}{int(time.time()) % 10000}"
                    quote = f"The {word} dam on the Ile river was opened on Monday by the regional governor"
                    article = folder / f"new-{round_}.txt"
                    article.write_text(f" date 2022-03-0{round_ + 1} {word} dam opens\n{quote}, officials said. "
                                       "It holds water for three districts.\n", encoding="utf-8")
                    question = f"When was the {word} dam on the Ile river opened?"
                    assert quote not in ask(question)
                    done = cli("ingest", str(article), "--data-dir", str(writer_home), env=env)
                    assert done.returncode == 0, done.stderr
                    finished, tries = time.monotonic(), 0
                    while quote not in ask(question):
                        tries += 1
                        assert time.monotonic() - finished < 300, "not answerable after 5 minutes"
                        time.sleep(0.5)
                    delays.append(time.monotonic() - finished)
                    asks.append(tries + 1)
                    print(f"round {round_ + 1}: answerable {delays[-1]:.1f} s after the ingest finished "
                          f"({tries + 1} question(s))", flush=True)
            finally:
                bot.terminate()
                bot.wait(timeout=120)
        refreshes = [float(x) for x in re.findall(r"refreshed in ([\d.]+) s", log_path.read_text())]
        mode = "server mode (writer on another data directory)" if server else "embedded store"
        print(f"{mode}: delay {summary(delays, 's', 1)}; refreshes {summary(refreshes, 's', 2)}")


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


# -- refresh at scale ------------------------------------------------------------------------------


def refresh(n: int, runs: int) -> None:
    from bot.live import LiveAnswerer
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from index.encoders.embedder import HashingEmbedder
    from index.lexical import lexical_folder

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        subset = corpus_subset(n, Path(tmp) / "subset.jsonl.gz")
        embedder = HashingEmbedder(dimension=384)
        writer = Runtime(load_settings(home=home), embedder=embedder)
        started = time.perf_counter()
        report = writer.ingest([subset])
        print(f"[hashing vectors] {report.added} articles, {report.chunks_added} chunks stored in "
              f"{time.perf_counter() - started:.0f} s (lexical index saved by the writer)")
        writer.close()
        live = LiveAnswerer(Runtime(load_settings(home=home), embedder=embedder), check_every=0)
        loaded, built = [], []
        for _ in range(runs):
            live.refresh(force=True)
            loaded.append(live.last_refresh_seconds)
            shutil.rmtree(lexical_folder(home, live.runtime.store))
            live.refresh(force=True)
            built.append(live.last_refresh_seconds)
        live.close()
        print(f"refresh, lexical index saved by the writer: {summary(loaded, 's', 2)}")
        print(f"refresh, lexical index built by the reader: {summary(built, 's', 2)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("part", choices=["throughput", "delay", "refresh"])
    parser.add_argument("--articles", type=int, default=None)
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed-articles", type=int, default=100)
    parser.add_argument("--server", action="store_true")
    parser.add_argument("--corpus", type=Path, default=common.DEV_CORPUS, help="the dev corpus (.jsonl.gz)")
    args = parser.parse_args()
    common.DEV_CORPUS = args.corpus
    header(f"live archive: {args.part}")
    if args.part == "throughput":
        throughput(args.articles or 50, args.runs or 2)
    elif args.part == "delay":
        delay(args.rounds, args.seed_articles, args.server)
    else:
        refresh(args.articles or 4750, args.runs or 3)


if __name__ == "__main__":
    main()
