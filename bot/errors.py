"""Errors of the answering side (see index.errors for the hierarchy)."""

from __future__ import annotations

from index.errors import NewsdeskError


class LLMError(NewsdeskError):
    """Caught by the LLM answerer, which answers extractively instead; never shown raw."""


class ConfigError(NewsdeskError):
    """A required setting is missing or unusable (e.g. no Slack token)."""
