"""The model's context window: read from a server's "prompt too long" error, or asked of the server.

Each server words the error its own way (all seen as HTTP 400; Ollama has also answered 500):

- OpenAI:    code `context_length_exceeded`, "This model's maximum context length is 8192 tokens.
             However, your messages resulted in 9000 tokens ..."
- vLLM:      "This model's maximum context length is 2048 tokens. However, you requested 2600 tokens
             (2088 in the messages, 512 in the completion) ...", or "... your request has 2088 input
             tokens", or "The decoder prompt (length 5000) is longer than the maximum model length of 4096"
- llama.cpp: type `exceed_context_size_error`, "request (2820 tokens) exceeds the available context
             size (2048 tokens), try increasing it", with `n_prompt_tokens` and `n_ctx` fields;
             older: "the request exceeds the available context size ..."
- Ollama:    "the input length exceeds the context length" (no sizes; older versions cut the prompt
             silently instead, which is why NEWSDESK_LLM_CONTEXT_TOKENS exists)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger(__name__)

_OVERFLOW = re.compile(
    r"context_length_exceeded|exceed_context_size|maximum context length|context length exceeded"
    r"|exceeds? (?:the )?(?:available |maximum )?context|longer than the maximum model length"
    r"|too many tokens|prompt is too long|input is too long|context window",
    re.IGNORECASE,
)
_CONTEXT_SIZE = [
    re.compile(r"maximum context length is (\d+)", re.IGNORECASE),
    re.compile(r"available context size \((\d+) tokens\)", re.IGNORECASE),
    re.compile(r"maximum model length of (\d+)", re.IGNORECASE),
    re.compile(r"['\"]n_ctx['\"]\s*:\s*(\d+)"),
]
_PROMPT_SIZE = [
    re.compile(r"\((\d+) in the messages", re.IGNORECASE),
    re.compile(r"messages resulted in (\d+) tokens", re.IGNORECASE),
    re.compile(r"request has (\d+) input tokens", re.IGNORECASE),
    re.compile(r"request \((\d+) tokens\)", re.IGNORECASE),
    re.compile(r"decoder prompt \(length (\d+)\)", re.IGNORECASE),
    re.compile(r"['\"]n_prompt_tokens['\"]\s*:\s*(\d+)"),
]


@dataclass(frozen=True)
class Overflow:
    """A context error, with the sizes the server gave (None where it gave none)."""

    context: int | None
    prompt_tokens: int | None


def overflow_in(error_text: str) -> Overflow | None:
    """The context error described by a server's error text (message and body), or None."""
    if not _OVERFLOW.search(error_text):
        return None
    return Overflow(_first_number(_CONTEXT_SIZE, error_text), _first_number(_PROMPT_SIZE, error_text))


def _first_number(patterns: list[re.Pattern[str]], text: str) -> int | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


def probe_context(base_url: str, model: str, headers: dict[str, str], timeout: float) -> int | None:
    """The context size the server reports, if it reports one: vLLM's `max_model_len` in
    /v1/models, llama.cpp's `n_ctx` in /props, Ollama's `context_length` in /api/ps (a loaded
    model). One quick look each; any failure means "not reported"."""
    import httpx

    root = _root(base_url)
    looks: list[tuple[str, Any]] = [
        (base_url.rstrip("/") + "/models", lambda data: _vllm(data, model)),
        (root + "/props", _llama_cpp),
        (root + "/api/ps", lambda data: _ollama(data, model)),
    ]
    with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False) as client:
        for url, read in looks:
            try:
                response = client.get(url)
                if response.status_code != 200:
                    continue
                found = read(response.json())
            except (httpx.HTTPError, ValueError, TypeError, AttributeError) as exc:
                log.debug("no context size at %s: %s", url, type(exc).__name__)
                continue
            if isinstance(found, int) and not isinstance(found, bool) and found > 0:
                log.info("the endpoint reports a context of %d tokens (%s)", found, url)
                return found
    return None


def _root(base_url: str) -> str:
    """The server's root: the base URL without its trailing /v1."""
    parts = urlsplit(base_url.rstrip("/"))
    path = re.sub(r"/v1$", "", parts.path)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _vllm(data: Any, model: str) -> Any:
    entries = data.get("data") or []
    return next((e.get("max_model_len") for e in entries if e.get("id") == model), None)


def _llama_cpp(data: Any) -> Any:
    settings = data.get("default_generation_settings") or {}
    return settings.get("n_ctx") or data.get("n_ctx")


def _ollama(data: Any, model: str) -> Any:
    entries = data.get("models") or []
    return next((e.get("context_length") for e in entries if model in (e.get("name"), e.get("model"))), None)
