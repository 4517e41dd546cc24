"""The one seam to a language model: a narrow chat protocol and its OpenAI-compatible implementation.

The implementation wraps llama-index's `OpenAILike` with everything explicit: base URL, key, model,
timeout and retries come from `LLMSettings`, never from OPENAI_* variables or llama-index globals.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

from bot import messages
from bot.errors import LLMError
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


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


class ChatModel(Protocol):
    """What the answerer needs from a language model, and nothing more."""

    name: str

    def complete(self, messages: Sequence[ChatMessage], *, json_mode: bool) -> str:
        """The whole reply. Raises LLMError (with a user-safe reason) on any endpoint problem."""
        ...

    def stream(self, messages: Sequence[ChatMessage], *, json_mode: bool) -> Iterator[str]:
        """The reply in pieces as they arrive. Raises LLMError like `complete`."""
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
    """Chat completions through llama-index's OpenAILike; the client is built on first use."""

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self.name = settings.model or ""
        self._llm: Any = None
        self._json_mode_accepted = True  # turned off once the endpoint rejects response_format

    def complete(self, messages: Sequence[ChatMessage], *, json_mode: bool) -> str:
        use_json = json_mode and self._json_mode_accepted
        try:
            with self._translated_errors(use_json):
                return self._chat(messages, use_json)
        except _JsonModeRejected:
            with self._translated_errors(False):
                return self._chat(messages, False)

    def stream(self, messages: Sequence[ChatMessage], *, json_mode: bool) -> Iterator[str]:
        use_json = json_mode and self._json_mode_accepted
        try:
            # A rejected request fails before its first token, so a retry never repeats output.
            with self._translated_errors(use_json):
                yield from self._stream_chat(messages, use_json)
        except _JsonModeRejected:
            with self._translated_errors(False):
                yield from self._stream_chat(messages, False)

    # -- llama-index calls --------------------------------------------------------------------

    def _chat(self, messages: Sequence[ChatMessage], use_json: bool) -> str:
        response = self._client().chat(_to_llama(messages), **_json_kwargs(use_json))
        return str(response.message.content or "")

    def _stream_chat(self, messages: Sequence[ChatMessage], use_json: bool) -> Iterator[str]:
        for chunk in self._client().stream_chat(_to_llama(messages), **_json_kwargs(use_json)):
            if chunk.delta:
                yield str(chunk.delta)

    def _client(self) -> Any:
        if self._llm is None:
            self._llm = self._build()
        return self._llm

    def _build(self) -> Any:
        import httpx
        from llama_index.core.callbacks import CallbackManager
        from llama_index.llms.openai_like import OpenAILike
        from openai import OpenAI

        s = self.settings
        # One retry layer only: the OpenAI client's (it honours Retry-After); llama-index's
        # tenacity layer is off (max_retries=0 below) so attempts do not multiply.
        client = OpenAI(
            api_key=s.api_key.get_secret_value() if s.api_key else _NO_KEY,
            base_url=s.base_url,
            timeout=s.timeout,
            max_retries=s.max_retries,
            http_client=httpx.Client(
                timeout=s.timeout, follow_redirects=True,
                event_hooks={"request": [_drop_account_headers]},
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
    def _translated_errors(self, json_mode_on: bool) -> Iterator[None]:
        """Endpoint failures become LLMError with a reason safe to show (no body, no key).

        A 400/422 while JSON mode is on raises _JsonModeRejected: many servers (LM Studio, older
        llama.cpp) refuse `response_format`, and the prompt asks for JSON anyway.
        """
        import httpx
        import openai

        try:
            yield
        except (UserInputError, LLMError, _JsonModeRejected):
            raise
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            if json_mode_on:
                log.info("the endpoint rejected the request (HTTP %s); retrying without JSON mode",
                         exc.status_code)
                self._json_mode_accepted = False
                raise _JsonModeRejected() from exc
            raise _failure(messages.LLM_HTTP_ERROR.format(status=exc.status_code), exc) from None
        except openai.APIStatusError as exc:
            reason = messages.LLM_HTTP_ERROR.format(status=exc.status_code)
            if exc.status_code == 404:
                reason += " (check that the base URL ends in /v1 and the model name)"
            raise _failure(reason, exc) from None
        except (openai.APITimeoutError, httpx.TimeoutException) as exc:
            raise _failure(messages.LLM_TIMEOUT.format(seconds=self.settings.timeout), exc) from None
        except (openai.APIConnectionError, httpx.TransportError) as exc:
            raise _failure(messages.LLM_UNREACHABLE, exc) from None
        except Exception as exc:  # noqa: BLE001 - a malformed response inside llama-index or openai is never fatal
            raise _failure(messages.LLM_FAILED.format(kind=type(exc).__name__), exc) from None


class _JsonModeRejected(Exception):
    """The endpoint refused the request while JSON mode was on: try once more without it."""


def _failure(reason: str, exc: BaseException) -> LLMError:
    log.info("LLM request failed: %s (%s)", reason, type(exc).__name__)
    return LLMError(reason)


def _json_kwargs(use_json: bool) -> dict[str, Any]:
    return {"response_format": {"type": "json_object"}} if use_json else {}


def _to_llama(messages: Sequence[ChatMessage]) -> list[Any]:
    from llama_index.core.llms import ChatMessage as LlamaChatMessage
    from llama_index.core.llms import MessageRole

    return [LlamaChatMessage(role=MessageRole(m.role), content=m.content) for m in messages]


def _drop_account_headers(request: httpx.Request) -> None:
    for name in _ACCOUNT_HEADERS:
        request.headers.pop(name, None)
