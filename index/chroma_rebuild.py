"""Rebuilding an index in Chroma without losing anything stored (`newsdesk ingest --rebuild`).

An index is the collections `nd_<namespace>_<key>_*` (`IndexSpec.prefix`; the key names the model
and chunking settings). The new one is written beside the old ones, as `ndnext_<namespace>_<key>_*`,
which the store never opens as an archive, so the old indexes answer as before meanwhile:

1. `begin` finds the indexes of the namespace, whatever their settings (the articles are read
   from them), and opens the new index for the current settings (ingest/rebuild.py fills it and
   checks that it holds every stored article).
2. `RebuildPlan.finish` records that the new index is complete (a marker collection,
   `ndnext_<namespace>_<key>-ready`, with its counts), deletes the old indexes, renames the new
   collections to their usual names, and deletes the marker last.

Ctrl-C or a crash in step 1 leaves the old indexes untouched; the next `begin` opens the new index
where it stopped, so what it holds is not encoded again (one left for other settings is dropped).
In step 2, the store refuses to open the namespace (`refuse_while_swapping`) rather than show a
half-renamed index, and the next `begin` finishes the swap. `swap` can be done again at any point:
a new collection is renamed only while its `ndnext_` name exists, after an old one of its usual
name is deleted; a collection of the usual name without an `ndnext_` twin was renamed already.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from index.archive import Archive, IndexSpec
from index.chroma import list_collections
from index.errors import StoreError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

STAGING = "ndnext"  # collection names of an index being rebuilt start with it
_READY = "-ready"  # the marker: `<staging prefix>-ready`


def staging_prefix(spec: IndexSpec) -> str:
    return f"{STAGING}_{spec.namespace}_{spec.key()}"


def _names(namespace: str) -> re.Pattern[str]:
    """Names of the namespace's collections: (`nd`|`ndnext`, key, `_part` or the marker)."""
    return re.compile(rf"^(nd|{STAGING})_{re.escape(namespace)}_([0-9a-f]{{10}})(_.+|{_READY})$")


def refuse_while_swapping(names: Iterable[str], namespace: str) -> None:
    """Raise when a rebuild of this namespace stopped while replacing the old index by the new one."""
    pattern = _names(namespace)
    if any((found := pattern.match(name)) and found.group(3) == _READY for name in names):
        raise StoreError(
            "an interrupted `newsdesk ingest --rebuild` was replacing the index of this data directory "
            "with the new one it had finished: run `newsdesk ingest --rebuild` again to complete it "
            "(nothing stored is lost)"
        )


@dataclass
class RebuildPlan:
    """The new index (`target`) and the stored indexes its articles come from (`sources`).
    `complete`: (articles, earlier versions) when an interrupted rebuild had finished the new
    index, which `begin` then put in place (`target` is it, and there is nothing to read)."""

    client: ClientAPI
    spec: IndexSpec
    target: Archive
    sources: list[Archive] = field(default_factory=list)
    complete: tuple[int, int] | None = None

    def finish(self, articles: int, versions: int) -> list[str]:
        """The new index replaces the stored ones (call once it holds every article); returns the
        prefixes of the indexes it replaced."""
        if self.complete is not None:
            return []  # replaced by `begin` already
        name = staging_prefix(self.spec) + _READY
        self.client.get_or_create_collection(name, metadata={"articles": articles, "versions": versions},
                                             embedding_function=None)
        return swap(self.client, self.spec)


def begin(client: ClientAPI, spec: IndexSpec, open_at: Callable[[IndexSpec, str], Archive]) -> RebuildPlan:
    """Start (or go on with) rebuilding the namespace's index for `spec`; `open_at(spec, prefix)`
    opens an index's collections. A swap an earlier rebuild left half-done is finished first
    (for `spec`'s settings, that was the whole rebuild); a new index left unfinished for other
    settings is dropped (the stored indexes are all there)."""
    pattern = _names(spec.namespace)
    for collection in list_collections(client):
        found = pattern.match(collection.name)
        if found and found.group(1) == STAGING and found.group(3) == _READY:
            swap(client, spec, found.group(2))
            if found.group(2) == spec.key():
                meta = collection.metadata or {}
                complete = (int(str(meta.get("articles", 0))), int(str(meta.get("versions", 0))))
                return RebuildPlan(client, spec, open_at(spec, spec.prefix), [], complete)
    stored: dict[str, Mapping[str, object]] = {}
    for collection in list_collections(client):
        found = pattern.match(collection.name)
        if found and found.group(1) == STAGING and found.group(2) != spec.key():
            client.delete_collection(collection.name)
        elif found and found.group(1) == "nd" and found.group(3) == "_chunks":
            stored[found.group(2)] = collection.metadata or {}
    sources = [
        open_at(IndexSpec.from_metadata(meta, spec.namespace), f"nd_{spec.namespace}_{key}")
        for key, meta in sorted(stored.items(), key=lambda item: item[0] != spec.key())  # the current first
    ]
    return RebuildPlan(client, spec, open_at(spec, staging_prefix(spec)), sources)


def swap(client: ClientAPI, spec: IndexSpec, key: str | None = None) -> list[str]:
    """Replace the namespace's indexes by the complete new one for `key` (default: `spec`'s);
    returns the prefixes of the indexes replaced. Safe to do again after an interruption."""
    key = key or spec.key()
    final, staged = f"nd_{spec.namespace}_{key}", f"{STAGING}_{spec.namespace}_{key}"
    pattern = _names(spec.namespace)
    names = [c.name for c in list_collections(client)]
    moving = sorted(name[len(staged):] for name in names if name.startswith(staged + "_"))
    replaced: set[str] = set()
    for name in names:
        found = pattern.match(name)
        if found is None or found.group(1) != "nd":
            continue
        if name.startswith(final + "_") and name[len(final):] not in moving:
            continue  # renamed from the new index already
        replaced.add(f"nd_{spec.namespace}_{found.group(2)}")
        client.delete_collection(name)
    for part in moving:
        client.get_collection(staged + part, embedding_function=None).modify(name=final + part)
    if staged + _READY in names:
        client.delete_collection(staged + _READY)
    return sorted(replaced)
