"""Factories that build the embedder, the store and the retriever from settings. Nothing at import time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.embedder import Embedder, SentenceTransformerEmbedder
from index.settings import Settings
from index.store import ArchiveStore, IndexSpec, open_client

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


def create_embedder(settings: Settings) -> Embedder:
    cfg = settings.embedding
    if cfg.backend == "torch":
        return SentenceTransformerEmbedder(cfg.model, cfg.model_path, cfg.batch_size, cfg.device)
    from index.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(cfg.model, cfg.model_path, settings.store.home / "encoders",
                        int8=cfg.backend == "onnx-int8", batch_size=cfg.batch_size, device=cfg.device)


def create_reader(settings: Settings, embedder: Embedder) -> Embedder:
    """The encoder the extractive answerer reads sentences with (see `AnswerSettings.reader`)."""
    if settings.answer.reader == "int8" and type(embedder) is SentenceTransformerEmbedder:
        return embedder.int8_reader
    return embedder


def index_spec(settings: Settings, embedder: Embedder, namespace: str = "main") -> IndexSpec:
    cfg = settings.chunking
    return IndexSpec(
        embed_model=embedder.name,
        chunk_tokens=cfg.max_tokens,
        overlap_sentences=cfg.overlap_sentences,
        encoding=cfg.encoding,
        namespace=namespace,
    )


def open_store(
    settings: Settings, embedder: Embedder, namespace: str = "main", client: ClientAPI | None = None
) -> ArchiveStore:
    return ArchiveStore.open(client or open_client(settings.store), index_spec(settings, embedder, namespace))
