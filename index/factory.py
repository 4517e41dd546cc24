"""Factories that build the embedder and the store from their settings sections. Nothing at import time."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from index import chroma_rebuild
from index.archive import Rebuild
from index.embedder import Embedder, SentenceTransformerEmbedder
from index.errors import IndexMismatchError, StoreError
from index.settings import ChunkSettings, EmbeddingSettings, StoreSettings
from index.store import ArchiveStore, IndexSpec, open_client

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

log = logging.getLogger(__name__)


def export_root(cfg: EmbeddingSettings) -> Path:
    """Where exported encoders are cached: one folder for every data directory of the user
    (`NEWSDESK_EMBED_EXPORT_DIR`, default ~/.cache/newsdesk/encoders; see `index.onnx_export`)."""
    return cfg.export_dir.expanduser()


def create_embedder(cfg: EmbeddingSettings) -> Embedder:
    """The index's encoder: ONNX Runtime's (exported once, see `export_root`) unless torch is asked for."""
    if cfg.backend == "torch":
        return SentenceTransformerEmbedder(cfg.model, cfg.model_path, cfg.batch_size, cfg.device)
    from index.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(cfg.model, cfg.model_path, export_root(cfg),
                        int8=cfg.backend == "onnx-int8", batch_size=cfg.batch_size, device=cfg.device)


def create_int8_reader(embedder: Embedder, cfg: EmbeddingSettings) -> Embedder | None:
    """The int8 reader of `embedder`'s model (`index.onnx_embedder.OnnxInt8Reader`), exported now if
    it is not cached yet; None when `embedder` is no full-precision model (a fake, onnx-int8) or the
    reader cannot be exported (then the answerer reads with `embedder`, and a warning says why)."""
    from index.onnx_embedder import OnnxEmbedder, OnnxInt8Reader

    exact = isinstance(embedder, SentenceTransformerEmbedder) or (
        type(embedder) is OnnxEmbedder and embedder.export_kind == "fp32")
    if not exact:
        return None
    model_path = getattr(embedder, "model_path", None)
    reader = OnnxInt8Reader(cfg.model, model_path, export_root(cfg), batch_size=cfg.batch_size)
    try:
        reader.session  # noqa: B018 - export (once) and load now, so that a failure is seen here
    except StoreError as exc:
        log.warning("reading with the index's encoder: %s", exc)
        return None
    return reader


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
    client: ClientAPI | None = None,
) -> ArchiveStore:
    """The index for these settings. An index that an earlier version named after this encoder
    (`legacy_names`, e.g. `all-MiniLM-L6-v2+onnx`) is opened when it is the one there."""
    client = client or open_client(store)
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
    client: ClientAPI | None = None,
) -> Rebuild:
    """A new index for these settings beside the namespace's stored ones (any settings), which it
    replaces once filled: see index/chroma_rebuild.py and ingest/rebuild.py."""
    client = client or open_client(store)
    opened = client

    def open_at(spec: IndexSpec, prefix: str) -> ArchiveStore:
        return ArchiveStore.at(opened, spec, prefix)

    return chroma_rebuild.begin(client, index_spec(chunking, embedder, namespace), open_at)
