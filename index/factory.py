"""Factories that build the embedder and the store from their settings sections. Nothing at import time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from index.embedder import Embedder, SentenceTransformerEmbedder
from index.settings import ChunkSettings, EmbeddingSettings, StoreSettings
from index.store import ArchiveStore, IndexSpec, open_client

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


def create_embedder(cfg: EmbeddingSettings, home: Path) -> Embedder:
    """The index's encoder; onnx exports live under `home/encoders`."""
    if cfg.backend == "torch":
        return SentenceTransformerEmbedder(cfg.model, cfg.model_path, cfg.batch_size, cfg.device)
    from index.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(cfg.model, cfg.model_path, home / "encoders",
                        int8=cfg.backend == "onnx-int8", batch_size=cfg.batch_size, device=cfg.device)


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
    return ArchiveStore.open(client or open_client(store), index_spec(chunking, embedder, namespace))
