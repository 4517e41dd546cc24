"""A long-running process answers from articles another process ingested: embedded store and
Chroma server alike, vectors and BM25 together (bot/live.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.live import LiveAnswerer
from bot.runtime import Runtime
from bot.settings import load_settings
from index.encoders.embedder import HashingEmbedder, SentenceTransformerEmbedder
from index.memory_store import MemoryStore
from tests.conftest import REPO, make_settings
from tests.test_server_mode import Server, chroma_server  # noqa: F401 - a fixture

NEW_ARTICLE = (
    " date 2022-03-03 Navoi bridge reopens\n"
    "The Zarafshan river bridge in Navoi reopened to traffic on Thursday after a two-year rebuild, "
    "the regional governor said. Lorries had been diverted through Kermine since 2020.\n"
)
QUESTION = "When did the Zarafshan river bridge in Navoi reopen?"
QUOTE = "The Zarafshan river bridge in Navoi reopened to traffic on Thursday"


def ingest_elsewhere(source: Path, home: Path, **env: str) -> None:
    """`newsdesk ingest` in another process, as a user or a cron job would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ingest", str(source), "--data-dir", str(home)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
    )
    assert done.returncode == 0, done.stderr


def quotes(live: LiveAnswerer, question: str = QUESTION) -> list[str]:
    answer = live.ask(live.runtime.query(question, date(2022, 6, 1)))
    return [c.quote for c in answer.citations]


def new_article(tmp_path: Path) -> Path:
    path = tmp_path / "navoi.txt"
    path.write_text(NEW_ARTICLE, encoding="utf-8")
    return path


def test_a_running_runtime_answers_from_an_article_another_process_ingested(
    tmp_path: Path, seeded_home: Path, embedder: SentenceTransformerEmbedder
) -> None:
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home)
    live = LiveAnswerer(Runtime(make_settings(home), embedder=embedder), check_every=0, max_wait=0)
    try:
        assert not any(QUOTE in q for q in quotes(live))  # loaded its vector index and BM25 now
        first = live.runtime

        ingest_elsewhere(new_article(tmp_path), home)

        assert live.check() is True
        assert any(QUOTE in q for q in quotes(live))
        assert live.runtime is not first
        lexical = live.runtime.lexical
        assert lexical.revision == live.runtime.store.revision()  # BM25 built at the vectors' revision
        assert any(QUOTE in p.text for p in live.runtime.retriever.keyword_search(  # BM25 alone finds it
            live.runtime.query("Zarafshan Navoi", date(2022, 6, 1)), 5))
        assert live.check() is False  # nothing new: nothing rebuilt
    finally:
        live.close()


def test_refresh_after_refresh_each_answers_through_its_own_connection(
    tmp_path: Path, seeded_home: Path, embedder: SentenceTransformerEmbedder
) -> None:
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home)
    live = LiveAnswerer(Runtime(make_settings(home), embedder=embedder), check_every=0)
    try:
        for _ in range(3):  # the runtime a refresh replaced is closed; the next must not share its client
            assert live.refresh(force=True) is True
            assert any("Almaty" in q for q in quotes(live, "When did protests reach Almaty?"))
    finally:
        live.close()


def test_a_runtime_started_on_an_empty_archive_answers_once_one_is_ingested(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    home = tmp_path / "home"
    live = LiveAnswerer(Runtime(make_settings(home), embedder=embedder), check_every=0, max_wait=0)
    try:
        assert quotes(live) == []
        ingest_elsewhere(new_article(tmp_path), home)
        assert live.check() is True
        assert any(QUOTE in q for q in quotes(live))
    finally:
        live.close()


def test_a_question_in_flight_keeps_the_runtime_it_started_with(tmp_path: Path) -> None:
    store = MemoryStore()
    live = LiveAnswerer(Runtime(load_settings(home=tmp_path), embedder=HashingEmbedder(), store=store),
                        check_every=0, max_wait=0)
    closed: list[Runtime] = []
    with live._lease() as generation:  # a question being answered
        old = generation.runtime
        old.close = lambda: closed.append(old)  # type: ignore[method-assign]
        assert live.refresh(force=True) is True
        assert live.runtime is not old and closed == []  # still in use: kept open
    assert closed == [old]  # closed once its question was answered


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _write(store: MemoryStore, n: int) -> None:
    from index.models import Article
    from ingest.chunking import create_chunker

    embedder = HashingEmbedder()
    article = Article(id=f"a{n}", title=f"Story {n}", text=f"Story number {n} happened on a Monday.",
                      published=date(2022, 1, n + 1))
    chunks = create_chunker(40, 0, "cl100k_base", embedder.max_tokens, embedder.count_tokens).chunk(article)
    store.write([(article, chunks, embedder.embed([c.text for c in chunks]))])


def test_a_change_is_picked_up_once_the_writer_pauses_or_after_max_wait(tmp_path: Path) -> None:
    store, clock = MemoryStore(), _Clock()
    live = LiveAnswerer(Runtime(load_settings(home=tmp_path), embedder=HashingEmbedder(), store=store),
                        check_every=0, max_wait=60, clock=clock)
    _write(store, 1)
    assert live.check() is False  # a write just happened: the writer may go on
    assert live.check() is True and live.refreshes == 1  # no write since: settled

    seen = []
    for n in range(2, 6):  # a long ingest writes between every two looks, 20 s apart
        _write(store, n)
        clock.now += 20
        seen.append(live.check())
    assert seen == [False, False, False, True]  # picked up 60 s after the change was first seen
    assert live.refreshes == 2


@pytest.mark.slow
def test_server_mode_a_running_runtime_answers_from_an_article_another_process_ingested(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, chroma_server: Server,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = chroma_server.url
    monkeypatch.setenv("NEWSDESK_CHROMA_URL", url)
    reader_home, writer_home = tmp_path / "bot-home", tmp_path / "writer-home"  # two machines, one server
    ingest_elsewhere(REPO / "seeds", writer_home, NEWSDESK_CHROMA_URL=url)
    live = LiveAnswerer(Runtime(load_settings(home=reader_home), embedder=embedder), check_every=0, max_wait=0)
    try:
        assert not any(QUOTE in q for q in quotes(live))
        ingest_elsewhere(new_article(tmp_path), writer_home, NEWSDESK_CHROMA_URL=url)
        assert live.check() is True
        assert any(QUOTE in q for q in quotes(live))
        assert live.runtime.lexical.revision == live.runtime.store.revision()  # built here, from the server
    finally:
        live.close()


def test_on_the_embedded_store_a_change_is_picked_up_as_soon_as_the_writer_lets_go(tmp_path: Path) -> None:
    store, clock, writing = MemoryStore(), _Clock(), [True]
    live = LiveAnswerer(Runtime(load_settings(home=tmp_path), embedder=HashingEmbedder(), store=store),
                        check_every=0, max_wait=60, writing=lambda: writing[0], clock=clock)
    _write(store, 1)
    assert live.check() is False
    clock.now += 5
    assert live.check() is False  # no write since, but the writer still holds the lock (saving BM25)
    writing[0] = False
    assert live.check() is True and live.refreshes == 1
    _write(store, 2)
    assert live.check() is True  # the writer is gone: at the first look


def test_the_lock_file_says_whether_a_writer_is_at_work(tmp_path: Path) -> None:
    from index.lock import LOCK_NAME, is_writing, write_lock

    assert is_writing(tmp_path) is False
    with write_lock(tmp_path):
        assert is_writing(tmp_path) is True
    assert is_writing(tmp_path) is False
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / LOCK_NAME).write_text(f"{dead.stdout.strip()} {socket.gethostname()} 2022-01-01T00:00:00\n")
    assert is_writing(tmp_path) is False  # a writer killed before it could empty the file


def test_the_live_answerer_passes_drafts_through_to_a_streaming_answerer(seeded_runtime: Runtime) -> None:
    """The Slack bot answers through a LiveAnswerer: LLM drafts must reach it through one."""
    from bot.answer import StreamingAnswerer


    live = LiveAnswerer(seeded_runtime, check_every=0)
    assert isinstance(live, StreamingAnswerer)
    drafts: list[str] = []
    answer = live.ask_streaming(seeded_runtime.query("When did protests reach Almaty?", date(2022, 1, 10)),
                                drafts.append)
    assert answer.answer == "4 January 2022" and drafts == []  # extractive: no drafts, a verified answer
    live.close()
