"""The ingest room's settings section."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode

from index.settings import section_config

if TYPE_CHECKING:
    from ingest.fetch import FetchPolicy


MAX_AUTO_WORKERS = 4  # each worker holds its own encoder and spaCy pipeline (about 0.5 GB)


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
    workers: int | None = Field(
        default=None, ge=1,
        description="Processes that mark up and encode during an ingest (--workers), beside the one "
        "that reads and writes; unset: one per CPU core, at most 4. 1: the ingest's own process does.",
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

    allow_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Hosts that feeds, sitemaps and pages may be fetched from though they are not public "
        "(loopback, private, link-local...), comma-separated: names (intranet.example), addresses "
        "(127.0.0.1) or networks (10.0.0.0/8). Everything else must resolve to public addresses.",
    )

    @field_validator("allow_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("allow_hosts")
    @classmethod
    def _hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if value:
            from ingest.addresses import AllowList

            AllowList.parse(value)  # a ValueError names the bad entry
        return value

    def worker_processes(self) -> int:
        """Worker processes for `ingest.pipeline.ingest`: 0 when the ingest's own process marks up and encodes."""
        import os

        workers = self.workers or min(os.cpu_count() or 1, MAX_AUTO_WORKERS)
        return workers if workers > 1 else 0

    def fetch_policy(self) -> FetchPolicy:
        from ingest.fetch import FetchPolicy

        return FetchPolicy(host_delay=self.fetch_delay, timeout=self.fetch_timeout, allow_hosts=self.allow_hosts)
