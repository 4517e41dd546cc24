"""A fake web site for tests: an HTTP server on 127.0.0.1 that records every request and answers
each path from a script (a 304 for a matching ETag or Last-Modified, redirects, errors, slow
answers). Paths without a script answer 404, robots.txt included."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The fake site's host names. The fetcher refuses them, as every non-public host, unless they are
# allowed (ingest.addresses): a test that fetches from the fake site allows them explicitly.
HOSTS = ("127.0.0.1", "localhost")
ALLOW_HOSTS_ENV = {"NEWSDESK_INGEST_ALLOW_HOSTS": ",".join(HOSTS)}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)  # e.g. Location, Retry-After
    etag: str | None = None  # a request with If-None-Match: <etag> gets a 304
    last_modified: str | None = None  # a request with If-Modified-Since: <this> gets a 304
    delay: float = 0.0  # seconds before answering: a slow server


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]  # lower-case names
    status: int  # what the fake answered


class FakeWeb:
    """`serve(path, reply, ...)`: each request takes the next reply; the last one repeats."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._script: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True  # a slow answer still sleeping never holds up close()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._script[path] = list(replies)

    def paths(self) -> list[str]:
        """Paths asked for, in order."""
        with self._lock:
            return [s.path for s in self.seen]

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self, path: str) -> Reply:
        with self._lock:
            script = self._script.get(path)
            if not script:
                return Reply(404, "not here", "text/plain")
            return script.pop(0) if len(script) > 1 else script[0]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        reply = self._next_reply(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        not_modified = (
            (reply.etag is not None and headers.get("if-none-match") == reply.etag)
            or (reply.last_modified is not None and headers.get("if-modified-since") == reply.last_modified)
        )
        status = 304 if not_modified and reply.status == 200 else reply.status
        with self._lock:
            self.seen.append(Seen(handler.path, headers, status))
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        try:
            handler.send_response(status)
            if reply.etag:
                handler.send_header("ETag", reply.etag)
            if reply.last_modified:
                handler.send_header("Last-Modified", reply.last_modified)
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            if status == 304:
                handler.end_headers()
                return
            handler.send_header("Content-Type", reply.content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test)


@contextmanager
def fake_web() -> Iterator[FakeWeb]:
    web = FakeWeb()
    try:
        yield web
    finally:
        web.close()


def article_page(title: str, body: str, published: str | None = None, canonical: str | None = None) -> str:
    """A news page trafilatura reads as an article: navigation and footer around the story."""
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (f"<html><head><title>{title} | Daily</title>{meta}{link}</head><body>"
            "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
            f"<article><h1>{title}</h1>{paragraphs}</article>"
            "<footer>Copyright Daily Example</footer></body></html>")


NAV_PAGE = ("<html><head><title>Home</title></head><body><nav><a href='/world'>World</a></nav>"
            "<div class='banner'><p>We use cookies.</p><button>Accept</button></div></body></html>")
