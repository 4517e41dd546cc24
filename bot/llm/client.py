"""The one seam to a language model: a narrow chat protocol and its OpenAI-compatible implementation.

The implementation wraps llama-index's `OpenAILike` with everything explicit: base URL, key, model,
timeout and retries come from `LLMSettings`, never from OPENAI_* variables or llama-index globals.

Every request is streamed, under one deadline per question: a server that has not finished by then
is left (the connection is closed, and llama.cpp and Ollama stop generating when their client goes
away), and a timeout is never retried. Retries (connection errors, 429, 5xx) happen here, within the
deadline; the OpenAI client's own retries are off, since they would retry timeouts too.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

from bot import messages
from bot.errors import ContextExceeded, LLMError
from bot.llm.context import overflow_in, probe_context
from bot.settings import LLMSettings
from index.errors import UserInputError

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

# Sent when no key is configured: the OpenAI client refuses an empty one, and an empty one would
# make it read OPENAI_API_KEY, i.e. send the user's OpenAI key to a local or third-party server.
_NO_KEY = "no-key"
# Account headers the OpenAI client adds from OPENAI_ORG_ID / OPENAI_PROJECT_ID: not for other hosts.
_ACCOUNT_HEADERS = ("OpenAI-Organization", "OpenAI-Project")
_RETRY_WAIT = 0.5  # seconds before a retry the server gave no Retry-After for (doubling)
_PROBE_SECONDS = 2.0  # per look at the server's context size
# What a 400 says when the server refuses `response_format` (LM Studio, older llama.cpp servers).
_ABOUT_JSON_MODE = ("response_format", "json_object", "json_schema", "json mode", "grammar")

OnText = Callable[[str], None]


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int | None = None  # as the server counted them, where it says


class ChatModel(Protocol):
    """What the answerer needs from a language model, and nothing more."""

    name: str

    def complete(self, messages: Sequence[ChatMessage], *, json_mode: bool, deadline: float,
                 on_text: OnText | None = None, on_request: Callable[[], None] | None = None) -> Completion:
        """The whole reply, by `deadline` (a `time.monotonic()` value). `on_text(text_so_far)` is
        called as the reply arrives, `on_request()` before each HTTP request (retries included).
        Raises LLMError (with a user-safe reason) on any endpoint problem, ContextExceeded when
        the prompt does not fit."""
        ...

    def context_size(self) -> int | None:
        """The context window the server reports (asked once), or None."""
        ...


def check_llm_settings(settings: LLMSettings) -> None:
    """LLM mode is all or nothing: both base URL and model, and a URL that can be called."""
    if not settings.base_url and not settings.model:
        return
    if not settings.base_url:
        raise UserInputError(messages.LLM_PARTIAL_CONFIG.format(
            missing="the base URL", how="--llm-base-url or NEWSDESK_LLM_BASE_URL"))
    if not settings.model:
        raise UserInputError(messages.LLM_PARTIAL_CONFIG.format(
            missing="the model", how="--llm-model or NEWSDESK_LLM_MODEL"))
    parts = urlsplit(settings.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserInputError(messages.LLM_BAD_BASE_URL.format(value=settings.base_url))


def create_chat_model(settings: LLMSettings) -> ChatModel:
    check_llm_settings(settings)
    if not settings.enabled:
        raise UserInputError(messages.LLM_PARTIAL_CONFIG.format(
            missing="the configuration", how="NEWSDESK_LLM_BASE_URL and NEWSDESK_LLM_MODEL"))
    if importlib.util.find_spec("llama_index.llms.openai_like") is None:
        raise UserInputError(messages.LLM_MISSING_PACKAGE)
    return OpenAILikeChatModel(settings)


class OpenAILikeChatModel:
    """Chat completions through llama-index's OpenAILike. The client is built with the model, not
    on first use: importing llama-index and openai takes a second or more, which must not come
    out of the first question's deadline (a 1 s deadline passed before the request was sent)."""

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self.name = settings.model or ""
        self._json_mode_accepted = True  # turned off once the endpoint rejects response_format
        self._usage_accepted = True  # turned off once it rejects stream_options (usage in the stream)
        self._context: int | None = None
        self._probed = False
        # The HTTP responses opened by the current thread's request, closed when it ends however it
        # ends: llama-index's stream wrapper does not close the response when it is abandoned.
        self._opened = threading.local()
        self._llm: Any = self._build()

    def complete(self, messages: Sequence[ChatMessage], *, json_mode: bool, deadline: float,
                 on_text: OnText | None = None, on_request: Callable[[], None] | None = None) -> Completion:
        use_json = json_mode and self._json_mode_accepted
        retries = 0
        while True:
            if on_request is not None:
                on_request()
            try:
                with self._translated_errors(use_json, deadline):
                    return self._stream(messages, use_json, deadline, on_text)
            except _JsonModeRejected:
                use_json = False  # once; the rejection is remembered for later questions
            except _UsageRejected:
                pass  # asked again without stream_options, remembered
            except _Retryable as exc:
                wait = exc.retry_after if exc.retry_after is not None else _RETRY_WAIT * 2 ** retries
                retries += 1
                if retries > self.settings.max_retries or time.monotonic() + wait >= deadline:
                    raise exc.error from None
                log.info("retrying the LLM request in %.1f s (%s)", wait, exc.error)
                time.sleep(wait)

    def context_size(self) -> int | None:
        if not self._probed:
            self._probed = True
            self._context = probe_context(self.settings.base_url or "", self.name, self._headers(),
                                          min(_PROBE_SECONDS, self.settings.timeout))
        return self._context

    # -- llama-index calls --------------------------------------------------------------------

    def _stream(self, messages: Sequence[ChatMessage], use_json: bool, deadline: float,
                on_text: OnText | None) -> Completion:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _DeadlinePassed()
        kwargs: dict[str, Any] = {
            "timeout": remaining,  # connect and each read: a silent server is left at the deadline
            **({"stream_options": {"include_usage": True}} if self._usage_accepted else {}),
            **_json_kwargs(use_json),
        }
        self._opened.responses = []
        text, prompt_tokens = "", None
        chunks = self._client().stream_chat(_to_llama(messages), **kwargs)
        try:
            for chunk in chunks:
                prompt_tokens = chunk.additional_kwargs.get("prompt_tokens") or prompt_tokens
                if chunk.delta:
                    text += str(chunk.delta)
                    if on_text is not None:
                        on_text(text)
                if time.monotonic() > deadline:  # a server that writes, but too slowly
                    raise _DeadlinePassed()
        finally:
            chunks.close()
            for response in self._opened.responses:  # the server sees its client leave
                response.close()
            self._opened.responses = []
        return Completion(text, prompt_tokens if isinstance(prompt_tokens, int) else None)

    def _remember(self, response: httpx.Response) -> None:
        opened = getattr(self._opened, "responses", None)
        if opened is not None:
            opened.append(response)

    def _client(self) -> Any:
        return self._llm

    def _headers(self) -> dict[str, str]:
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else None
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _build(self) -> Any:
        import httpx
        from llama_index.core.callbacks import CallbackManager
        from llama_index.llms.openai_like import OpenAILike
        from openai import OpenAI

        s = self.settings
        # No retry layer below this class: the OpenAI client would retry timeouts, and
        # llama-index's tenacity layer (max_retries=0 below) would multiply attempts.
        client = OpenAI(
            api_key=s.api_key.get_secret_value() if s.api_key else _NO_KEY,
            base_url=s.base_url,
            timeout=s.timeout,
            max_retries=0,
            http_client=httpx.Client(
                timeout=s.timeout, follow_redirects=True,
                event_hooks={"request": [_drop_account_headers], "response": [self._remember]},
            ),
        )
        try:
            return OpenAILike(
                model=s.model,
                api_base=s.base_url,
                api_key=_NO_KEY,  # the real key lives only in `client`, never in this model's repr
                is_chat_model=True,
                is_function_calling_model=False,
                temperature=s.temperature,
                max_tokens=s.max_tokens,
                timeout=s.timeout,
                max_retries=0,
                openai_client=client,
                callback_manager=CallbackManager([]),  # explicit: no llama-index global is read
            )
        except ValueError as exc:  # e.g. a model name that only the Responses API serves
            raise UserInputError(messages.LLM_BAD_MODEL.format(model=s.model)) from exc

    @contextmanager
    def _translated_errors(self, json_mode_on: bool, deadline: float) -> Iterator[None]:
        """Endpoint failures become LLMError with a reason safe to show (no body, no key).

        A context overflow raises ContextExceeded (the answerer retries with a smaller prompt). A
        400/422 that is about `response_format` while JSON mode is on raises _JsonModeRejected:
        some servers (LM Studio, older llama.cpp) refuse it, and the prompt asks for JSON anyway.
        Connection errors, 429 and 5xx raise _Retryable; a timeout is final.
        """
        import httpx
        import openai

        timeout = LLMError(messages.LLM_TIMEOUT.format(seconds=self.settings.timeout), "timeout")
        try:
            yield
        except (UserInputError, LLMError, _JsonModeRejected, _UsageRejected, _Retryable):
            raise
        except _DeadlinePassed:
            raise _failure(timeout, "the deadline passed") from None
        except openai.APIStatusError as exc:
            raise self._status_error(exc, json_mode_on) from None
        except (openai.APITimeoutError, httpx.TimeoutException) as exc:
            raise _failure(timeout, type(exc).__name__) from None
        except (openai.APIConnectionError, httpx.TransportError) as exc:
            if time.monotonic() >= deadline:  # a read cut short by the deadline
                raise _failure(timeout, type(exc).__name__) from None
            raise _Retryable(_failure(LLMError(messages.LLM_UNREACHABLE, "unreachable"), type(exc).__name__)) from None
        except Exception as exc:  # noqa: BLE001 - a malformed response inside llama-index or openai is never fatal
            raise _failure(LLMError(messages.LLM_FAILED.format(kind=type(exc).__name__)), type(exc).__name__) from None

    def _status_error(self, exc: Any, json_mode_on: bool) -> Exception:
        status: int = exc.status_code
        said = f"{exc.message} {exc.body}"
        overflow = overflow_in(said) if status in (400, 413, 422, 500) else None
        if overflow is not None:
            log.info("the prompt does not fit the model's context (HTTP %s; context %s, prompt %s tokens)",
                     status, overflow.context, overflow.prompt_tokens)
            return ContextExceeded(messages.LLM_CONTEXT_EXCEEDED, overflow.context, overflow.prompt_tokens)
        if self._usage_accepted and status in (400, 422) and "stream_options" in said.lower():
            log.info("the endpoint rejected stream_options (HTTP %s); asking again without it", status)
            self._usage_accepted = False
            return _UsageRejected()
        if json_mode_on and status in (400, 422) and any(word in said.lower() for word in _ABOUT_JSON_MODE):
            log.info("the endpoint rejected response_format (HTTP %s); asking again without JSON mode", status)
            self._json_mode_accepted = False
            return _JsonModeRejected()
        reason = messages.LLM_HTTP_ERROR.format(status=status)
        if status == 404:
            reason += " (check that the base URL ends in /v1 and the model name)"
        error = _failure(LLMError(reason, "http"), f"HTTP {status}")
        if status == 429 or status >= 500:
            retry_after = _retry_after(exc.response.headers.get("retry-after") if exc.response else None)
            return _Retryable(error, retry_after)
        return error


class _JsonModeRejected(Exception):
    """The endpoint refused `response_format`: try once more without it."""


class _UsageRejected(Exception):
    """The endpoint refused `stream_options`: try once more without it (no token counts then)."""


class _DeadlinePassed(Exception):
    """The question's deadline passed while the reply was still arriving."""


class _Retryable(Exception):
    def __init__(self, error: LLMError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _failure(error: LLMError, cause: str) -> LLMError:
    log.info("LLM request failed: %s (%s)", error, cause)
    return error


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: use the default wait


def _json_kwargs(use_json: bool) -> dict[str, Any]:
    return {"response_format": {"type": "json_object"}} if use_json else {}


def _to_llama(messages: Sequence[ChatMessage]) -> list[Any]:
    from llama_index.core.llms import ChatMessage as LlamaChatMessage
    from llama_index.core.llms import MessageRole

    return [LlamaChatMessage(role=MessageRole(m.role), content=m.content) for m in messages]


def _drop_account_headers(request: httpx.Request) -> None:
    for name in _ACCOUNT_HEADERS:
        request.headers.pop(name, None)
