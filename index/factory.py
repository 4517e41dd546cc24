"""The store's seam: what the rest of the house asks of the store beyond the `Archive` protocol
(opening an index for the settings, a connection to reopen or close, a rebuild), so that only
index/ knows which store it is (Chroma today: `index.store`, `index.chroma*`). Nothing at import time.

A `Connection` is an opaque handle to the store: `connect` opens one (fresh: one that sees what
other processes wrote since), `disconnect` releases it. The encoders are built in `index.encoders.factory`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from index import chroma_rebuild
from index.archive import Archive, Rebuild
from index.chroma import close_client, open_client
from index.encoders.embedder import Embedder
from index.errors import IndexMismatchError
from index.settings import ChunkSettings, StoreSettings
from index.store import ArchiveStore, IndexSpec

if TYPE_CHECKING:
    from index.chroma import Connection

__all__ = ["Connection", "begin_rebuild", "connect", "disconnect", "index_spec", "open_store"]


def connect(store: StoreSettings, *, fresh: bool = False) -> Connection:
    """A connection to the store these settings name. `fresh`: one that sees what other
    processes wrote since this one first opened it (see `index.chroma`); `disconnect` it when done."""
    return open_client(store, fresh=fresh)


def disconnect(connection: Connection | None, store: Archive | None = None) -> None:
    """Release `connection`, or without one the connection `store` opened for itself; nothing may
    use either afterwards."""
    client = connection if connection is not None else getattr(store, "client", None)
    if client is not None:
        close_client(client)


def index_spec(chunking: ChunkSettings, embedder: Embedder, namespace: str = "main") -> IndexSpec:
    return IndexSpec(
        embed_model=embedder.name,
        chunk_tokens=chunking.max_tokens,
        overlap_sentences=chunking.overlap_sentences,
        encoding=chunking.encoding,
        namespace=namespace,
    )


def open_store(
    store: StoreSettings, chunking: ChunkSettings, embedder: Embedder, namespace: str = "main",
    connection: Connection | None = None,
) -> ArchiveStore:
    """The index for these settings. An index that an earlier version named after this encoder
    (`legacy_names`, e.g. `all-MiniLM-L6-v2+onnx`) is opened when it is the one there."""
    client = connection or open_client(store)
    spec = index_spec(chunking, embedder, namespace)
    try:
        return ArchiveStore.open(client, spec)
    except IndexMismatchError:
        for legacy in getattr(embedder, "legacy_names", ()):
            try:  # opens only an existing index: with another one there, `open` never creates
                return ArchiveStore.open(client, replace(spec, embed_model=legacy))
            except IndexMismatchError:
                continue
        raise


def begin_rebuild(
    store: StoreSettings, chunking: ChunkSettings, embedder: Embedder, namespace: str = "main",
    connection: Connection | None = None,
) -> Rebuild:
    """A new index for these settings beside the namespace's stored ones (any settings), which it
    replaces once filled: see index/chroma_rebuild.py and ingest/rebuild.py."""
    client = connection or open_client(store)

    def open_at(spec: IndexSpec, prefix: str) -> ArchiveStore:
        return ArchiveStore.at(client, spec, prefix)

    return chroma_rebuild.begin(client, index_spec(chunking, embedder, namespace), open_at)
