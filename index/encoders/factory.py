"""Building the encoders from their settings section. Nothing at import time."""

from __future__ import annotations

import logging
from pathlib import Path

from index.encoders.embedder import Embedder, SentenceTransformerEmbedder
from index.errors import StoreError
from index.settings import EmbeddingSettings

log = logging.getLogger(__name__)


def export_root(cfg: EmbeddingSettings) -> Path:
    """Where exported encoders are cached: one folder for every data directory of the user
    (`NEWSDESK_EMBED_EXPORT_DIR`, default ~/.cache/newsdesk/encoders; see `index.encoders.onnx_export`)."""
    return cfg.export_dir.expanduser()


def create_embedder(cfg: EmbeddingSettings) -> Embedder:
    """The index's encoder: ONNX Runtime's (exported once, see `export_root`) unless torch is asked for."""
    if cfg.backend == "torch":
        return SentenceTransformerEmbedder(cfg.model, cfg.model_path, cfg.batch_size, cfg.device)
    from index.encoders.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(cfg.model, cfg.model_path, export_root(cfg),
                        int8=cfg.backend == "onnx-int8", batch_size=cfg.batch_size, device=cfg.device)


def create_sentence_encoder(embedder: Embedder, cfg: EmbeddingSettings) -> Embedder | None:
    """The int8 sentence encoder of `embedder`'s model (`index.encoders.onnx_embedder.Int8SentenceEncoder`),
    exported now if it is not cached yet; None when `embedder` is no full-precision model (a fake,
    onnx-int8) or it cannot be exported (then the answerer reads with `embedder`, and a warning says why)."""
    from index.encoders.onnx_embedder import Int8SentenceEncoder, OnnxEmbedder

    exact = isinstance(embedder, SentenceTransformerEmbedder) or (
        type(embedder) is OnnxEmbedder and embedder.export_kind == "fp32")
    if not exact:
        return None
    model_path = getattr(embedder, "model_path", None)
    encoder = Int8SentenceEncoder(cfg.model, model_path, export_root(cfg), batch_size=cfg.batch_size)
    try:
        encoder.session  # noqa: B018 - export (once) and load now, so that a failure is seen here
    except StoreError as exc:
        log.warning("reading with the index's encoder: %s", exc)
        return None
    return encoder
