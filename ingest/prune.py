"""Pruning: dropping stored articles whose files are gone, without ever emptying an archive
because a drive was not mounted."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from index.archive import Archive
from ingest.report import IngestReport

# A prune that would remove more than this share of the articles stored under its paths is
# refused unless confirmed: an emptied or unmounted folder looks exactly like that.
MAX_PRUNE_SHARE = 0.5


def prune_gone(store: Archive, paths: Sequence[Path], seen: Collection[str], files_read: Collection[str],
               report: IngestReport, confirmed: bool) -> None:
    """Drop stored articles under `paths` whose file is gone, or was read whole and cleanly in this
    run (`files_read`: every record an article) without yielding them (`seen`: the ids read). A
    file with a record that failed to read, or that failed to read at all, keeps all its stored
    articles: a record that failed to read is not a record that is gone. Records what it did, or
    why not, in `report`."""
    roots = [str(p.resolve()) for p in paths]

    def under(path: str) -> bool:
        return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)

    stored = {i: s for i, s in store.article_states().items() if s.path and under(s.path)}
    gone = [
        article_id for article_id, state in stored.items()
        if article_id not in seen and state.path
        and (state.path in files_read or not Path(state.path).exists())
    ]
    if gone and len(gone) > MAX_PRUNE_SHARE * len(stored) and not confirmed:
        report.prune_refused = (
            f"it would remove {len(gone)} of the {len(stored)} articles stored under "
            f"{', '.join(str(p) for p in paths)}, more than {MAX_PRUNE_SHARE:.0%}; check that the "
            "path is right (a mounted drive?) and pass --yes to prune anyway"
        )
        return
    report.chunks_removed += store.delete_articles(gone)
    report.removed = len(gone)
