"""What an ingest did, for the CLI's summary and its `--json`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Failure:
    path: str
    error: str


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    embedded: int = 0  # passages sent to the encoder in this run
    versions_kept: int = 0  # changed articles whose earlier text was kept (ingest/revisions.py)
    copies: int = 0  # articles found to be wire copies of another (ingest/copies.py)
    fingerprinted: int = 0  # stored articles fingerprinted for copy detection (once, after an upgrade)
    failed: list[Failure] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)  # stored, with a value set aside
    prune_refused: str | None = None  # why a prune was not done (it needs confirming)
    # ingest --rebuild (ingest/rebuild.py): stored articles and earlier versions the new index holds,
    # and why it did not replace the stored indexes (some could not be encoded again)
    rebuilt: int = 0
    rebuilt_versions: int = 0
    rebuild_incomplete: str | None = None
    interrupted: bool = False  # Ctrl-C or SIGTERM ended the run early: the counts are what was stored
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        return asdict(self)
