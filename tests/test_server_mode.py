"""Server mode: the CLI against a real `chroma run` on 127.0.0.1, started and stopped by the test."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlparse

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.runtime import Runtime
from bot.settings import load_settings
from index.encoders.embedder import SentenceTransformerEmbedder
from index.errors import StoreError
from tests.conftest import REPO, SEEDS

CHROMA = Path(sys.executable).parent / "chroma"
runner = CliRunner()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    path: Path
    proc: subprocess.Popen[bytes]


@contextmanager
def running_chroma(folder: Path) -> Iterator[Server]:
    """A fresh `chroma run` on 127.0.0.1 with its data and log in `folder`; always terminated.
    RuntimeError (with the log's end) when it does not answer within a minute. The benchmarks
    use it too (benchmarks/live_archive.py)."""
    path, port, log_path = folder / "server-data", free_port(), folder / "chroma.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError(f"chroma run did not start: {log_path.read_text()[-2000:]}") from None
                time.sleep(0.1)
        yield Server(url, path, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[Server]:
    """A fresh `chroma run` on 127.0.0.1; always terminated."""
    with running_chroma(tmp_path) as server:
        yield server


def invoke(*args: str, home: Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--data-dir", str(home)], catch_exceptions=False)


def test_ingest_ask_and_reindex_through_a_chroma_server(
    chroma_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_CHROMA_URL", chroma_server.url)
    home = tmp_path / "home"

    first = invoke("ingest", str(SEEDS), "--json", home=home)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["added"] == 1

    asked = invoke("ask", "--json", "When did protests reach Almaty?", home=home)
    assert asked.exit_code == 0, asked.output
    answer = json.loads(asked.stdout)
    assert answer["abstained"] is False
    assert any("the protests engulfed Almaty" in c["quote"] for c in answer["citations"])

    again = json.loads(invoke("ingest", str(SEEDS), "--json", home=home).stdout)
    assert (again["added"], again["embedded"], again["unchanged"]) == (0, 0, 1)

    # Everything went to the server; the data directory holds no embedded store.
    assert not (home / "chroma").exists()
    assert (chroma_server.path / "chroma.sqlite3").exists()


class TokenProxy(BaseHTTPRequestHandler):
    """A reverse proxy that demands a bearer token, as one would put in front of a Chroma server."""

    upstream = ""
    token = ""
    seen: ClassVar[list[str]] = []

    def _forward(self) -> None:
        self.seen.append(self.headers.get("Authorization", ""))
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self.send_error(401)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = urlparse(self.upstream)
        conn = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
        conn.request(self.command, self.path, body=body,
                     headers={"Content-Type": self.headers.get("Content-Type", "application/json")})
        reply = conn.getresponse()
        data = reply.read()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.getheader("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_token_is_sent_on_every_request(
    chroma_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = type("Proxy", (TokenProxy,), {"upstream": chroma_server.url, "token": "s3cret", "seen": []})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("NEWSDESK_CHROMA_URL", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.setenv("NEWSDESK_CHROMA_TOKEN", "s3cret")
        done = invoke("ingest", str(SEEDS), "--json", home=tmp_path / "home")
        assert done.exit_code == 0, done.output
        assert json.loads(done.stdout)["added"] == 1
        assert len(handler.seen) > 3 and set(handler.seen) == {"Bearer s3cret"}

        monkeypatch.setenv("NEWSDESK_CHROMA_TOKEN", "wrong")
        with pytest.raises(StoreError, match="refused the credentials"):
            invoke("ask", "When did protests reach Almaty?", home=tmp_path / "home")
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_server_that_goes_away_is_a_store_error(
    chroma_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder
) -> None:
    monkeypatch.setenv("NEWSDESK_CHROMA_URL", chroma_server.url)
    runtime = Runtime(load_settings(home=tmp_path / "home"), embedder=embedder)
    assert runtime.store.counts() == (0, 0)
    chroma_server.proc.terminate()
    chroma_server.proc.wait(timeout=10)
    with pytest.raises(StoreError, match="lost the connection to the Chroma server"):
        runtime.store.counts()


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], check=False, capture_output=True, text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
    )


def test_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    done = run_cli("ask", "Who won?", "--data-dir", str(tmp_path), env={"NEWSDESK_CHROMA_URL": url})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert " ".join(done.stderr.split()).startswith(
        f"error: no Chroma server answers at {url} (Connection refused)"
    )


@pytest.mark.parametrize("url", ["localhost:8000", "http://[::1", "http://host:99999"])
def test_malformed_server_url_is_refused(tmp_path: Path, url: str) -> None:
    done = run_cli("ask", "Who won?", "--data-dir", str(tmp_path), env={"NEWSDESK_CHROMA_URL": url})
    assert done.returncode == 2
    assert "NEWSDESK_CHROMA_URL must look like http://host:port" in done.stderr
    assert "Traceback" not in done.stderr
