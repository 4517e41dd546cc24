"""A minimal OpenAI-compatible chat server over `ik-llama-cpp-python`, to measure LLM mode with a
real local model on a machine where llama.cpp's own server cannot be had.

NOT part of newsdesk and never imported by it: run it from a separate virtualenv that has the
`ik-llama-cpp-python` wheel (docs/llm.md, "A real run on 2 CPU cores"). It behaves like
`llama-server` with one slot in the ways newsdesk depends on:

- /v1/chat/completions, streamed (server-sent events, a usage chunk on `stream_options.include_usage`)
  or not; ChatML prompts (Qwen2.5), greedy decoding; `response_format` is accepted and not enforced.
- A prompt that does not fit the context gets HTTP 400 `exceed_context_size_error` with
  `n_prompt_tokens` and `n_ctx`, in llama.cpp's wording.
- The longest prefix shared with the previous prompt is kept in the KV cache (llama.cpp's prompt
  cache), and the log says how much was reused.
- Generation stops when the client goes away (llama.cpp checks between tokens).
- /props reports `default_generation_settings.n_ctx`; one request at a time, the next one waits.

    ~/llm-venv/bin/python benchmarks/ik_llama_server.py --model M.gguf --ctx 4096 --threads 1 --port 8088
"""

from __future__ import annotations

import argparse
import ctypes
import json
import logging
import select
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import numpy as np
from ik_llama_cpp import _ctypes_api as C
from ik_llama_cpp._internals import IkContext, IkModel, make_batch_range, make_batch_single

log = logging.getLogger("ik_llama_server")

seq_rm = C._lib.llama_kv_cache_seq_rm
seq_rm.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32, ctypes.c_int32]
seq_rm.restype = ctypes.c_bool


class Engine:
    def __init__(self, path: str, n_ctx: int, threads: int) -> None:
        self.model = IkModel(path)
        self.context = IkContext(self.model, n_ctx=n_ctx, n_threads=threads, flash_attn=False)
        self.n_ctx = n_ctx
        self.cached: list[int] = []  # tokens whose keys and values are in the cache, in order
        self.name = path.rsplit("/", 1)[-1]

    def prompt(self, messages: list[dict[str, Any]]) -> list[int]:
        text = "".join(f"<|im_start|>{m['role']}\n{m.get('content') or ''}<|im_end|>\n" for m in messages)
        return self.model.tokenize(text + "<|im_start|>assistant\n", add_bos=False, special=True)

    def ingest(self, tokens: list[int]) -> int:
        """Evaluate the prompt, reusing the cached prefix; returns how many tokens were reused."""
        shared = 0
        for a, b in zip(self.cached, tokens[:-1]):  # at least the last token is evaluated again
            if a != b:
                break
            shared += 1
        seq_rm(self.context.ctx, 0, shared, -1)
        self.cached = tokens[:shared]
        step = self.context._n_ubatch
        for i in range(shared, len(tokens), step):
            chunk = tokens[i:i + step]
            batch = make_batch_range(chunk, pos_start=i, logits_last=i + step >= len(tokens))
            code = self.context.decode(batch)
            C.llama_batch_free(batch)
            if code != 0:
                self.cached = []
                raise RuntimeError(f"llama_decode failed: {code}")
            self.cached += chunk
        return shared

    def next_token(self) -> int:
        logits = C.llama_get_logits_ith(self.context.ctx, -1)
        return int(np.ctypeslib.as_array(logits, shape=(self.model.n_vocab,)).argmax())

    def accept(self, token: int) -> bool:
        batch = make_batch_single(token, len(self.cached))
        code = self.context.decode(batch)
        C.llama_batch_free(batch)
        if code == 0:
            self.cached.append(token)
        return code == 0

    def is_end(self, token: int) -> bool:
        return bool(C.llama_token_is_eog(self.model.model, token))

    def text(self, tokens: list[int]) -> str:
        return self.model.detokenize(tokens)


def make_handler(engine: Engine) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/props":
                return self._json(200, {"default_generation_settings": {"n_ctx": engine.n_ctx}})
            if self.path.rstrip("/") == "/v1/models":
                return self._json(200, {"object": "list", "data": [{"id": engine.name, "object": "model"}]})
            self._json(404, {"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._json(404, {"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}})
            tokens = engine.prompt(body.get("messages") or [])
            max_tokens = int(body.get("max_tokens") or 512)
            if len(tokens) + max_tokens > engine.n_ctx:
                log.info("refused: %d prompt tokens + %d > n_ctx %d", len(tokens), max_tokens, engine.n_ctx)
                return self._json(400, {"error": {
                    "code": 400, "type": "exceed_context_size_error", "n_prompt_tokens": len(tokens),
                    "n_ctx": engine.n_ctx,
                    "message": f"request ({len(tokens)} tokens) exceeds the available context size "
                               f"({engine.n_ctx} tokens), try increasing it"}})
            started = time.monotonic()
            reused = engine.ingest(tokens)
            prompt_seconds = time.monotonic() - started
            log.info("prompt: %d tokens, %d reused from the cache, %d evaluated in %.1f s",
                     len(tokens), reused, len(tokens) - reused, prompt_seconds)
            stream = bool(body.get("stream"))
            usage = bool((body.get("stream_options") or {}).get("include_usage"))
            if stream:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
            out: list[int] = []
            sent = ""
            reason = "length"
            for _ in range(max_tokens):
                if stream and self._client_left():
                    log.info("client left after %d tokens: generation stopped", len(out))
                    return
                token = engine.next_token()
                if engine.is_end(token):
                    reason = "stop"
                    break
                out.append(token)
                if not engine.accept(token):
                    break
                text = engine.text(out)
                if stream and not text.endswith("\ufffd") and len(text) > len(sent):
                    if not self._event({"choices": [{"index": 0, "delta": {"content": text[len(sent):]},
                                                      "finish_reason": None}]}):
                        log.info("client left after %d tokens: generation stopped", len(out))
                        return
                    sent = text
            seconds = time.monotonic() - started
            log.info("reply: %d tokens in %.1f s (prompt %.1f s)", len(out), seconds, prompt_seconds)
            counts = {"prompt_tokens": len(tokens), "completion_tokens": len(out),
                      "total_tokens": len(tokens) + len(out)}
            text = engine.text(out)
            if not stream:
                return self._json(200, {"id": "chatcmpl-ik", "object": "chat.completion", "model": engine.name,
                                        "choices": [{"index": 0, "finish_reason": reason,
                                                     "message": {"role": "assistant", "content": text}}],
                                        "usage": counts})
            if len(text) > len(sent):
                self._event({"choices": [{"index": 0, "delta": {"content": text[len(sent):]}, "finish_reason": None}]})
            self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]})
            if usage:
                self._event({"choices": [], "usage": counts})
            self._write(b"data: [DONE]\n\n")

        def _client_left(self) -> bool:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)

        def _event(self, payload: dict[str, Any]) -> bool:
            payload = {"id": "chatcmpl-ik", "object": "chat.completion.chunk", "model": engine.name, **payload}
            return self._write(f"data: {json.dumps(payload)}\n\n".encode())

        def _write(self, data: bytes) -> bool:
            try:
                self.wfile.write(data)
                self.wfile.flush()
                return True
            except (BrokenPipeError, ConnectionResetError):
                return False

        def _json(self, code: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self._write(data)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    engine = Engine(args.model, args.ctx, args.threads)
    log.info("serving %s (n_ctx %d, %d thread(s)) on http://%s:%d/v1", engine.name, args.ctx, args.threads,
             args.host, args.port)
    HTTPServer((args.host, args.port), make_handler(engine)).serve_forever()


if __name__ == "__main__":
    main()
