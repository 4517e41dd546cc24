"""The ingest room's settings section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field
from pydantic_settings import BaseSettings

from index.settings import section_config

if TYPE_CHECKING:
    from ingest.fetch import FetchPolicy


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
    progress_seconds: float = Field(
        default=5.0, ge=0,
        description="With --json, or when stderr is not a terminal, `newsdesk ingest` prints how far "
        "it got (each stage's count) to stderr this often (0: at every step).",
    )
    annotate: bool = Field(
        default=True,
        description="Mark up every chunk with spaCy's named entities and noun phrases, where the "
        "answerer finds short answers (about 50 chunks/s; chunks are re-annotated, not re-embedded, "
        "when the model changes).",
    )
    fetch_delay: float = Field(
        default=1.0, ge=0,
        description="Seconds between two requests to one web site when reading feeds and sitemaps "
        "(a robots.txt Crawl-delay that asks for more is honoured).",
    )
    fetch_timeout: float = Field(
        default=20.0, gt=0,
        description="Seconds to wait for a web site to connect, or between two pieces of its answer.",
    )

    def fetch_policy(self) -> FetchPolicy:
        from ingest.fetch import FetchPolicy

        return FetchPolicy(host_delay=self.fetch_delay, timeout=self.fetch_timeout)
