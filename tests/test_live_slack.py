"""`newsdesk slack --http` as a real process answers from articles ingested after it started:
by another process (embedded store, and a Chroma server), and by its own `--watch`."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.slack_fake import FakeSlack, event_envelope, free_port, mention, post_signed, wait_for
from tests.test_live import NEW_ARTICLE, QUESTION, QUOTE
from tests.test_server_mode import Server, chroma_server  # noqa: F401 - a fixture
from tests.test_slack_cli import SECRET, RunningBot, bot_env, newsdesk, port_open

# The bot looks for new articles every second here (5 s by default), to keep the tests short.
ENV = {"NEWSDESK_REFRESH_SECONDS": "1"}
DEADLINE = 60.0  # "answerable within a minute"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack()
    yield slack
    slack.close()


@contextmanager
def slack_bot(tmp_path: Path, home: Path, fake: FakeSlack, *args: str, **env: str) -> Iterator[RunningBot]:
    port = free_port()
    log = tmp_path / "bot.log"
    with log.open("w+") as output:
        proc = subprocess.Popen(
            newsdesk("slack", "--http", "--port", str(port), "--host", "127.0.0.1", "--data-dir", str(home), *args),
            env=bot_env(SLACK_BOT_TOKEN="xoxb-live", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.api_url,
                        **ENV, **env),
            cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: proc.poll() is not None or port_open(port), timeout=180, what="the bot to listen")
            assert proc.poll() is None, log.read_text()
            yield RunningBot(f"http://127.0.0.1:{port}/slack/events", log)
        finally:
            proc.terminate()
            code = proc.wait(timeout=120)
    assert code == 0, log.read_text()
    assert "Traceback" not in log.read_text(), log.read_text()


class Asker:
    """Mentions the bot with a question and returns what it posted in reply."""

    def __init__(self, bot: RunningBot, fake: FakeSlack) -> None:
        self.bot, self.fake, self.asked = bot, fake, 0

    def ask(self, question: str = QUESTION) -> str:
        self.asked += 1
        done = len(self.fake.received("reactions.remove"))
        event = event_envelope(mention(question, f"{int(time.time())}.{self.asked:06d}"), f"EvLIVE{self.asked:04d}")
        status, _ = post_signed(self.bot.url, event, SECRET, "application/json")
        assert status == 200
        wait_for(lambda: len(self.fake.received("reactions.remove")) > done, timeout=120, what="an answer")
        return self.fake.received("chat.postMessage")[-1].blocks_json

    def until_quoted(self, quote: str, since: float) -> float:
        """Ask again until the answer quotes `quote`; the seconds it took from `since`."""
        while quote not in self.ask():
            assert time.monotonic() - since < DEADLINE, "the new article was not answerable within a minute"
            time.sleep(0.5)
        return time.monotonic() - since


def ingest_from_another_process(source: Path, home: Path, **env: str) -> None:
    done = subprocess.run(newsdesk("ingest", str(source), "--data-dir", str(home)), env=bot_env(**env),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr


def test_the_bot_answers_from_an_article_another_process_ingested(
    tmp_path: Path, seeded_home: Path, fake: FakeSlack
) -> None:
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home)
    article = tmp_path / "navoi.txt"
    article.write_text(NEW_ARTICLE, encoding="utf-8")
    with slack_bot(tmp_path, home, fake) as bot:
        asker = Asker(bot, fake)
        assert QUOTE not in asker.ask()  # its indexes are loaded, without the new article
        ingest_from_another_process(article, home)
        delay = asker.until_quoted(QUOTE, since=time.monotonic())
    print(f"embedded store: answerable {delay:.1f} s after the ingest finished")


@pytest.mark.slow
def test_server_mode_the_bot_answers_from_an_article_another_machine_ingested(
    tmp_path: Path, fake: FakeSlack, chroma_server: Server,  # noqa: F811
) -> None:
    from tests.conftest import SEEDS

    server = {"NEWSDESK_CHROMA_URL": chroma_server.url}
    writer_home = tmp_path / "writer-home"  # another machine: its own data directory
    ingest_from_another_process(SEEDS, writer_home, **server)
    article = tmp_path / "navoi.txt"
    article.write_text(NEW_ARTICLE, encoding="utf-8")
    with slack_bot(tmp_path, tmp_path / "bot-home", fake, **server) as bot:
        asker = Asker(bot, fake)
        assert QUOTE not in asker.ask()
        ingest_from_another_process(article, writer_home, **server)
        delay = asker.until_quoted(QUOTE, since=time.monotonic())
    print(f"server mode: answerable {delay:.1f} s after the ingest finished")


def test_the_bot_reindexes_its_own_sources(tmp_path: Path, seeded_home: Path, fake: FakeSlack) -> None:
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home)
    folder = tmp_path / "incoming"
    folder.mkdir()
    with slack_bot(tmp_path, home, fake, "--watch", str(folder), "--every", "2s") as bot:
        asker = Asker(bot, fake)
        assert QUOTE not in asker.ask()
        wait_for(lambda: "run 1 at" in bot.log.read_text(), timeout=120, what="the first run")
        (folder / "navoi.txt").write_text(NEW_ARTICLE, encoding="utf-8")  # the source changes
        asker.until_quoted(QUOTE, since=time.monotonic())
    log = bot.log.read_text()
    assert "re-indexing 1 source(s) in the background, a run every 2s" in log
    assert "added 1" in log  # the run that found the new file
