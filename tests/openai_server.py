"""A local OpenAI-compatible chat server for tests: scripted replies, every request recorded.

    with FakeOpenAIServer() as server:
        server.script(chat('{"answer": ...}'), status(500), streamed(["{", '"answer"', ...]))
        ... point newsdesk at server.base_url ...
        server.requests[0].body["messages"]

A scripted reply may also be a function of the request body, to answer from what was sent.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

_PASSAGE = re.compile(r"<<<PASSAGE (\d+) (\w+)>>>\n(.*?)\n<<<END PASSAGE \1 \2>>>", re.DOTALL)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    content: str | None = None  # the assistant message
    pieces: tuple[str, ...] | None = None  # streamed as server-sent events
    delay: float = 0.0  # seconds before answering (cut short when the server stops)


def chat(content: str) -> Reply:
    return Reply(content=content)


def answer_json(answer: str | None, *citations: tuple[int, str]) -> Reply:
    return chat(json.dumps({"answer": answer, "citations": [{"passage": n, "quote": q} for n, q in citations]}))


def streamed(pieces: list[str]) -> Reply:
    return Reply(pieces=tuple(pieces))


def status(code: int) -> Reply:
    return Reply(status=code)


def slow(seconds: float, content: str = "{}") -> Reply:
    return Reply(content=content, delay=seconds)


Script = Reply | Callable[[dict[str, Any]], Reply]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: str

    def message(self, role: str) -> str:
        return "\n".join(m["content"] for m in self.body.get("messages", []) if m["role"] == role)


def passages_in(body: dict[str, Any]) -> dict[int, str]:
    """Passage number -> the block's text, as the prompt delimited it."""
    user = "\n".join(m["content"] for m in body["messages"] if m["role"] == "user")
    return {int(m.group(1)): m.group(3) for m in _PASSAGE.finditer(user)}


def passage_with(body: dict[str, Any], text: str) -> int:
    return next(n for n, block in passages_in(body).items() if text in block)


class FakeOpenAIServer:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._script: deque[Script] = deque()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, *replies: Script) -> None:
        self._script.extend(replies)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next(self, body: dict[str, Any]) -> Reply:
        if not self._script:
            return Reply(status=599, content="no scripted reply left")
        item = self._script.popleft()
        return item(body) if callable(item) else item

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
                body = json.loads(raw) if raw else {}
                server.requests.append(Request("POST", self.path, dict(self.headers), body, raw))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                reply = server._next(body)
                if reply.delay and server._stopping.wait(reply.delay):
                    return
                try:
                    if reply.status != 200:
                        self._send(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                    elif reply.pieces is not None:
                        self._stream(body, reply.pieces)
                    else:
                        self._send(200, _completion(body, reply.content or ""))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def _send(self, code: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], pieces: tuple[str, ...]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in pieces:
                    chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0,
                             "model": body.get("model"),
                             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": body.get("model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
