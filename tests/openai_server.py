"""A local OpenAI-compatible chat server for tests: scripted replies, every request recorded.

    with FakeOpenAIServer() as server:
        server.script(chat('{"answer": ...}'), status(500), streamed(["{", '"answer"', ...]))
        ... point newsdesk at server.base_url ...
        server.requests[0].body["messages"]

A scripted reply may also be a function of the request body, to answer from what was sent.
Like llama.cpp, vLLM and Ollama, it streams any reply when the request asks for `stream`
(with a usage chunk when `stream_options.include_usage` is set), counts prompt tokens (as
characters / 4), and notices a client that goes away while it is still "generating"
(`disconnects`, `wait_for_disconnect`). `too_long(...)` answers like a server whose context is
smaller than the prompt, in each server's wording.
"""

from __future__ import annotations

import json
import re
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

# A passage runs from its marker to the next marker of the same boundary (see bot/llm/prompt.py).
_PASSAGE = re.compile(r"<<<PASSAGE (\d+) (\w+)>>>\n(.*?)\n(?=<<<(?:PASSAGE \d+|ARTICLE|END) \2>>>)", re.DOTALL)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    content: str | None = None  # the assistant message
    pieces: tuple[str, ...] | None = None  # streamed as server-sent events
    delay: float = 0.0  # seconds before answering (cut short when the server stops or the client leaves)
    piece_delay: float = 0.0  # seconds between streamed pieces: a slow generator
    error: dict[str, Any] | None = None  # the error body of a failure status


def chat(content: str) -> Reply:
    return Reply(content=content)


def answer_json(answer: str | None, *citations: tuple[int, str]) -> Reply:
    return chat(json.dumps({"answer": answer, "citations": [{"passage": n, "quote": q} for n, q in citations]}))


def streamed(pieces: list[str]) -> Reply:
    return Reply(pieces=tuple(pieces))


def status(code: int, message: str = "scripted failure", **fields: Any) -> Reply:
    return Reply(status=code, error={"error": {"message": message, "type": "server_error", **fields}})


def slow_pieces(pieces: list[str], seconds_each: float) -> Reply:
    """A generator slower than any deadline: every piece arrives in time, the whole never does."""
    return Reply(pieces=tuple(pieces), piece_delay=seconds_each)


def prompt_tokens(body: dict[str, Any]) -> int:
    """The fake's token count of a request: characters / 4, as a rough tokenizer would."""
    return sum(len(m.get("content") or "") for m in body.get("messages", [])) // 4


# What each server answers when the prompt does not fit its context (HTTP status, error body).
CONTEXT_ERRORS: dict[str, Callable[[int, int, int], tuple[int, dict[str, Any]]]] = {
    "openai": lambda n_ctx, prompt, out: (400, {"error": {
        "message": f"This model's maximum context length is {n_ctx} tokens. However, your messages "
                   f"resulted in {prompt} tokens. Please reduce the length of the messages.",
        "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}),
    "vllm": lambda n_ctx, prompt, out: (400, {
        "object": "error", "type": "BadRequestError", "param": None, "code": 400,
        "message": f"This model's maximum context length is {n_ctx} tokens. However, you requested "
                   f"{prompt + out} tokens ({prompt} in the messages, {out} in the completion). Please "
                   "reduce the length of the messages or completion."}),
    "llama.cpp": lambda n_ctx, prompt, out: (400, {"error": {
        "code": 400, "message": f"request ({prompt} tokens) exceeds the available context size "
                                f"({n_ctx} tokens), try increasing it",
        "type": "exceed_context_size_error", "n_prompt_tokens": prompt, "n_ctx": n_ctx}}),
    "ollama": lambda n_ctx, prompt, out: (400, {"error": {
        "message": "the input length exceeds the context length", "type": "invalid_request_error",
        "param": None, "code": None}}),
}


def too_long(n_ctx: int, wording: str, then: Script) -> Callable[[dict[str, Any]], Reply]:
    """A server with a context of `n_ctx` tokens: a request whose prompt and reply do not fit gets
    that server's error, one that fits gets `then`."""
    def reply(body: dict[str, Any]) -> Reply:
        prompt, out = prompt_tokens(body), int(body.get("max_tokens") or 0)
        if prompt + out > n_ctx:
            code, error = CONTEXT_ERRORS[wording](n_ctx, prompt, out)
            return Reply(status=code, error=error)
        return then(body) if callable(then) else then
    return reply


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
        self.disconnects = 0  # replies abandoned because the client closed the connection
        self.pages: dict[str, dict[str, Any]] = {}  # GET path -> JSON, e.g. "/props" as llama.cpp serves it
        self.gets: list[str] = []
        self._disconnected = threading.Event()
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

    def wait_for_disconnect(self, seconds: float = 10.0) -> bool:
        """Whether a client went away mid-reply (waiting up to `seconds` for the handler to see it)."""
        return self._disconnected.wait(seconds)

    def _client_left(self) -> None:
        self.disconnects += 1
        self._disconnected.set()

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
            def do_GET(self) -> None:
                server.gets.append(self.path)
                page = server.pages.get(self.path)
                self._send(200 if page is not None else 404, page if page is not None else {"error": "not found"})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
                body = json.loads(raw) if raw else {}
                server.requests.append(Request("POST", self.path, dict(self.headers), body, raw))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                reply = server._next(body)
                if reply.delay and not self._wait(reply.delay):
                    return
                try:
                    if reply.status != 200:
                        self._send(reply.status, reply.error or {"error": {"message": "scripted failure"}})
                    elif reply.pieces is not None:
                        self._stream(body, reply.pieces, reply.piece_delay)
                    elif body.get("stream"):
                        content = reply.content or ""
                        self._stream(body, tuple(content[i:i + 7] for i in range(0, len(content), 7)), 0.0)
                    else:
                        self._send(200, _completion(body, reply.content or ""))
                except (BrokenPipeError, ConnectionResetError):
                    server._client_left()

            def _wait(self, seconds: float) -> bool:
                """Wait like a server busy generating; False when the client closed the connection
                (it becomes readable at end of file) or the server is stopping."""
                until = time.monotonic() + seconds
                # poll, not select: select() refuses descriptors numbered 1024 and above.
                watch = select.poll()
                watch.register(self.connection, select.POLLIN)
                while (left := until - time.monotonic()) > 0 and not server._stopping.is_set():
                    readable = watch.poll(min(left, 0.05) * 1000)
                    if readable and not self.connection.recv(1, socket.MSG_PEEK):
                        server._client_left()
                        return False
                return not server._stopping.is_set()

            def _send(self, code: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], pieces: tuple[str, ...], piece_delay: float) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in pieces:
                    if piece_delay and not self._wait(piece_delay):
                        return
                    self._event(_chunk(body, [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]))
                if (body.get("stream_options") or {}).get("include_usage"):
                    self._event(_chunk(body, [], usage=_usage(body)))
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _usage(body: dict[str, Any]) -> dict[str, int]:
    prompt = prompt_tokens(body)
    return {"prompt_tokens": prompt, "completion_tokens": 1, "total_tokens": prompt + 1}


def _chunk(body: dict[str, Any], choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": body.get("model"),
            "choices": choices, **extra}


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": body.get("model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": _usage(body),
    }
