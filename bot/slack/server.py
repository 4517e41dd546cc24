"""HTTP mode: Bolt's WSGI adapter on a threaded stdlib server (one thread per request).

Bolt's own `app.start()` serves one request at a time on every interface; this one binds where it
is told, serves concurrent requests (Slack does not wait for one event before sending the next),
and can be shut down from another thread, which tests and signal handlers need.

In front of Bolt sits `RequestCheck`: Bolt parses the body before it verifies the signature, and
slack_sdk's verifier calls int() on the timestamp header, so a malformed request would otherwise get
a 500 and a traceback. Here it gets a 4xx and one log line; Bolt still verifies what gets through.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest

from bot import messages

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"  # Bolt's default: events, interactivity and slash commands
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are a few kB; read no more than this into memory
MAX_AGE_SECONDS = 5 * 60  # Slack's rule: a timestamp further from now than this is a replay
READ_TIMEOUT_SECONDS = 30.0  # a client that stops sending mid-request does not hold a thread forever
_TIMESTAMP = re.compile(r"[0-9]{1,15}")
_LENGTH = re.compile(r"[0-9]+")


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    read_timeout = READ_TIMEOUT_SECONDS

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):  # the client went quiet or away before sending a request
            log.info("dropped the connection from %s: %s", client_address[0], str(error) or type(error).__name__)
        else:
            super().handle_error(request, client_address)


class _LoggingHandler(WSGIRequestHandler):
    server: _ThreadingWSGIServer

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.read_timeout)  # every read and write on the connection

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


@dataclass
class _Refused(Exception):
    status: HTTPStatus
    reason: str


class RequestCheck:
    """WSGI layer in front of Bolt's adapter for POSTs to `path`: reads the body once (at most
    MAX_BODY_BYTES), refuses requests that are not signed with `signing_secret` (401) or that Bolt
    could not read (400), and hands the rest on to Bolt with the body re-wrapped."""

    def __init__(self, bolt: WSGIApplication, signing_secret: str, path: str = EVENTS_PATH,
                 clock: Callable[[], float] = time.time) -> None:
        self.bolt = bolt
        self.secret = signing_secret.encode("utf-8")
        self.path = path
        self.clock = clock

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != self.path:
            return self.bolt(environ, start_response)  # Bolt answers 404 (or its OAuth pages)
        try:
            body = _read_body(environ)
            environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
            request = _as_bolt_reads_it(environ)
            # Bolt answers Slack's SSL checks before verifying signatures; so does this layer.
            if request is None or request.body.get("ssl_check") != "1":
                self._verify(environ, body)
                if request is None:
                    raise _Refused(HTTPStatus.BAD_REQUEST, messages.SLACK_REFUSED_UNREADABLE)
        except _Refused as refused:
            log.warning("refused a request from %s: HTTP %d, %s", environ.get("REMOTE_ADDR", "?"),
                        refused.status, refused.reason)
            payload = f"{refused.reason}\n".encode()
            start_response(f"{refused.status.value} {refused.status.phrase}", [
                ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(payload)))])
            return [payload]
        return self.bolt(environ, start_response)

    def _verify(self, environ: WSGIEnvironment, body: bytes) -> None:
        """Slack's signature: `v0=` HMAC-SHA256 of `v0:TIMESTAMP:BODY`, the timestamp within 5 minutes."""
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        if not _TIMESTAMP.fullmatch(timestamp):
            raise _Refused(HTTPStatus.UNAUTHORIZED, messages.SLACK_REFUSED_TIMESTAMP)
        if abs(self.clock() - int(timestamp)) > MAX_AGE_SECONDS:
            raise _Refused(HTTPStatus.UNAUTHORIZED, messages.SLACK_REFUSED_STALE)
        digest = hmac.new(self.secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        given = str(environ.get("HTTP_X_SLACK_SIGNATURE", "")).encode("utf-8", "replace")
        if not hmac.compare_digest(f"v0={digest}".encode(), given):
            raise _Refused(HTTPStatus.UNAUTHORIZED, messages.SLACK_REFUSED_SIGNATURE)


def _read_body(environ: WSGIEnvironment) -> bytes:
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not declared:
        raise _Refused(HTTPStatus.LENGTH_REQUIRED, messages.SLACK_REFUSED_NO_LENGTH)
    if not _LENGTH.fullmatch(declared):
        raise _Refused(HTTPStatus.BAD_REQUEST, messages.SLACK_REFUSED_BAD_LENGTH)
    if len(declared) > len(str(MAX_BODY_BYTES)) or int(declared) > MAX_BODY_BYTES:
        raise _Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                       messages.SLACK_REFUSED_TOO_LARGE.format(limit=MAX_BODY_BYTES // 1_000_000))
    try:
        body: bytes = environ["wsgi.input"].read(int(declared))
    except TimeoutError:
        raise _Refused(HTTPStatus.REQUEST_TIMEOUT, messages.SLACK_REFUSED_SLOW_BODY) from None
    if len(body) < int(declared):
        raise _Refused(HTTPStatus.BAD_REQUEST, messages.SLACK_REFUSED_SHORT_BODY)
    return body


def _as_bolt_reads_it(environ: WSGIEnvironment) -> BoltRequest | None:
    """The request as Bolt's adapter builds it (the body parsed by Bolt's own rules); None where
    building it fails: not UTF-8, JSON that does not parse or is not an object, and the like."""
    wsgi = WsgiHttpRequest(environ)
    try:
        return BoltRequest(body=wsgi.get_body(), query=wsgi.query_string, headers=wsgi.get_headers())
    except Exception:  # noqa: BLE001 - whatever Bolt cannot read is the request's fault, not a bug here
        return None
    finally:
        environ["wsgi.input"].seek(0)  # Bolt reads the body again


def create_http_server(app: App, host: str, port: int, *, signing_secret: str,
                       read_timeout: float = READ_TIMEOUT_SECONDS) -> WSGIServer:
    """Bound and listening once this returns (port 0 picks a free one: see `server_port`)."""
    server = _ThreadingWSGIServer((host, port), _LoggingHandler)
    server.read_timeout = read_timeout
    server.set_app(RequestCheck(SlackRequestHandler(app, EVENTS_PATH), signing_secret))
    return server
