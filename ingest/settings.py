"""The ingest room's settings section."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings

from index.settings import section_config


class IngestSettings(BaseSettings):
    model_config = section_config("NEWSDESK_INGEST_")

    max_file_mb: float = Field(
        default=20.0, gt=0, description="Files larger than this are refused with a clear error."
    )
    lock_timeout: float | None = Field(
        default=None,
        ge=0,
        description="Seconds to wait for another ingest writing to the same data directory before "
        "giving up (unset: wait as long as it takes; 0: do not wait).",
    )
    annotate: bool = Field(
        default=True,
        description="Mark up every chunk with spaCy's named entities and noun phrases, where the "
        "answerer finds short answers (about 50 chunks/s; chunks are re-annotated, not re-embedded, "
        "when the model changes).",
    )
