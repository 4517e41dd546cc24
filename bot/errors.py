"""Errors of the answering side (see index.errors for the hierarchy)."""

from __future__ import annotations

from index.errors import NewsdeskError


class LLMError(NewsdeskError):
    """Caught by the LLM answerer, which answers extractively instead; never shown raw.

    `kind` names the failure for counting (evals report fallbacks by it): timeout, unreachable,
    http, context, invalid_reply, failed."""

    def __init__(self, reason: str, kind: str = "failed") -> None:
        super().__init__(reason)
        self.kind = kind


class ContextExceeded(LLMError):
    """The prompt and the reply do not fit the model's context. What the server said about the
    sizes, where it said it: its context (`context`) and its count of our prompt (`prompt_tokens`)."""

    def __init__(self, reason: str, context: int | None, prompt_tokens: int | None) -> None:
        super().__init__(reason, "context")
        self.context = context
        self.prompt_tokens = prompt_tokens


class ConfigError(NewsdeskError):
    """A required setting is missing or unusable (e.g. no Slack token)."""
