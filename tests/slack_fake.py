"""A fake Slack for tests: a Web API and response URLs on 127.0.0.1 that record every call, plus
helpers that sign requests the way Slack does. It can answer 429 or 500 on demand."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

T = TypeVar("T")

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0FAKE"


@dataclass
class Call:
    method: str  # Web API method ("chat.postMessage"), or "response:<name>" for a response URL
    params: dict[str, Any]
    status: int  # what the fake answered

    @property
    def blocks_json(self) -> str:
        return json.dumps(self.params.get("blocks") or [], ensure_ascii=False)


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    remaining: int


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, _Failure] = {}
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                params = _parse(raw, self.headers.get("Content-Type") or "")
                if self.path.startswith("/api/"):
                    method = self.path[len("/api/"):].split("?")[0]
                elif self.path.startswith("/response/"):
                    method = "response:" + self.path[len("/response/"):]
                else:
                    self.send_error(404)
                    return
                status, headers, body = fake._answer(method, params)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                payload = body.encode("utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    # -- addresses ----------------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base}/response/{name}"

    # -- behaviour ----------------------------------------------------------------------------

    def fail(self, method: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next `times` calls of `method` with `status` (429 carries Retry-After)."""
        with self._lock:
            self._failures[method] = _Failure(status, retry_after, times)

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, str], str]:
        with self._lock:
            failure = self._failures.get(method)
            if failure and failure.remaining > 0:
                failure.remaining -= 1
                self.calls.append(Call(method, params, failure.status))
                headers = {"Content-Type": "application/json"}
                if failure.retry_after is not None:
                    headers["Retry-After"] = str(failure.retry_after)
                return failure.status, headers, json.dumps({"ok": False, "error": "fake_failure"})
            self.calls.append(Call(method, params, 200))
            if method.startswith("response:"):
                return 200, {"Content-Type": "text/plain"}, "ok"
            body: dict[str, Any] = {"ok": True}
            if method == "auth.test":
                body.update(url="https://fake.slack.test/", team="Fake", user="newsdesk", team_id=TEAM,
                            user_id=BOT_USER, bot_id=BOT_ID)
            elif method == "chat.postMessage":
                ts = f"{int(time.time())}.{next(self._ts):06d}"
                body.update(channel=params.get("channel"), ts=ts,
                            message={"text": params.get("text"), "ts": ts, "bot_id": BOT_ID})
            return 200, {"Content-Type": "application/json"}, json.dumps(body)

    # -- what was received ----------------------------------------------------------------------

    def received(self, method: str | None = None, ok_only: bool = True) -> list[Call]:
        with self._lock:
            return [c for c in self.calls
                    if (method is None or c.method == method) and (c.status == 200 or not ok_only)]

    def posts(self, channel: str | None = None) -> list[Call]:
        return [c for c in self.received("chat.postMessage") if channel is None or c.params.get("channel") == channel]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        data: dict[str, Any] = json.loads(raw or "{}")
    else:
        data = {k: v[0] for k, v in parse_qs(raw).items()}
    if isinstance(data.get("blocks"), str):
        data["blocks"] = json.loads(data["blocks"])
    return data


def wait_for(condition: Callable[[], T], timeout: float = 60.0, what: str = "condition") -> T:
    """Poll until `condition()` is truthy; fail after `timeout` seconds (a deadline, not an assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- signed requests, as Slack sends them ---------------------------------------------------------


def signature(secret: str, timestamp: str, body: str | bytes) -> str:
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def post_signed(
    url: str, body: str, secret: str, content_type: str, *, timestamp: int | None = None,
    headers: dict[str, str] | None = None, bad_signature: bool = False,
) -> tuple[int, str]:
    """POST like Slack: X-Slack-Signature over `v0:timestamp:body`. Returns (status, response body)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    sig = signature("not-the-secret" if bad_signature else secret, stamp, body)
    request = urllib.request.Request(url, data=body.encode("utf-8"), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sig,
        **(headers or {}),
    })
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def send_raw(url: str, headers: list[tuple[str, str]], body: bytes = b"") -> tuple[int, str]:
    """POST exactly these header lines and body bytes (no Content-Length unless given), half-close the
    connection, and return (status, response body). For requests no well-behaved client would send."""
    address = urlsplit(url)
    head = [f"POST {address.path} HTTP/1.1", f"Host: {address.netloc}", *(f"{k}: {v}" for k, v in headers)]
    with socket.create_connection((address.hostname, address.port), timeout=30) as conn:
        conn.sendall("\r\n".join(head).encode("latin-1") + b"\r\n\r\n" + body)
        conn.shutdown(socket.SHUT_WR)  # what was sent is all there is
        response = b""
        while chunk := conn.recv(65536):
            response += chunk
    status_line, _, rest = response.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")


def signed_headers(secret: str, body: bytes, content_type: str = "application/json",
                   timestamp: str | None = None) -> list[tuple[str, str]]:
    """Content-Type, Content-Length and a valid Slack signature for `body`."""
    stamp = timestamp or str(int(time.time()))
    return [("Content-Type", content_type), ("Content-Length", str(len(body))),
            ("X-Slack-Request-Timestamp", stamp), ("X-Slack-Signature", signature(secret, stamp, body))]


def event_envelope(event: dict[str, Any], event_id: str) -> str:
    return json.dumps({
        "token": "legacy-verification-token", "team_id": TEAM, "api_app_id": "A0NEWSDESK",
        "type": "event_callback", "event_id": event_id, "event_time": int(time.time()), "event": event,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    })


def mention(text: str, ts: str, channel: str = "C0NEWS", user: str = "UALICE",
            thread_ts: str | None = None) -> dict[str, Any]:
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts,
             "channel": channel, "event_ts": ts, "client_msg_id": f"msg-{channel}-{ts}"}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(text: str, ts: str, channel: str, channel_type: str, user: str = "UALICE",
            thread_ts: str | None = None) -> dict[str, Any]:
    event = {"type": "message", "user": user, "text": text, "ts": ts, "channel": channel,
             "channel_type": channel_type, "event_ts": ts, "client_msg_id": f"msg-{channel}-{ts}"}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def slash_command_body(text: str, response_url: str, channel: str = "C0NEWS", user: str = "UALICE") -> str:
    return urlencode({
        "token": "legacy", "team_id": TEAM, "team_domain": "fake", "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "news", "user_id": user,
        "user_name": user.lower(), "command": "/news", "text": text, "api_app_id": "A0NEWSDESK",
        "response_url": response_url, "trigger_id": "1.2.3",
    })


def button_click_body(action_id: str, value: str, response_url: str, channel: str = "C0NEWS",
                      user: str = "UALICE", message_ts: str = "1.0") -> str:
    payload = {
        "type": "block_actions", "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0NEWSDESK", "token": "legacy", "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel, "name": "news"},
        "message": {"type": "message", "ts": message_ts, "bot_id": BOT_ID},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "newsdesk_feedback",
                     "value": value, "action_ts": str(time.time())}],
    }
    return urlencode({"payload": json.dumps(payload)})
