"""The embedder seam: the torch backend (sentence-transformers) and a deterministic fake for tests.

The default encoder, ONNX Runtime's, lives in `index.encoders.onnx_embedder`; this module imports
neither torch nor onnxruntime until a model is used.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from index.encoders.offline import bundled_model_path, go_offline
from index.errors import UserInputError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

Vectors = npt.NDArray[np.float32]
# A GPU asked for that is not there: the encoder runs on the CPU (said once, as a warning).
GPU_FALLBACK = "device '%s' is not available (%s): encoding on the CPU"

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns texts into unit-length vectors; cosine similarity is their dot product."""

    name: str
    max_tokens: int  # longest input, in the model's own tokens (special tokens included), seen whole

    def embed(self, texts: Sequence[str]) -> Vectors: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any local sentence-transformers folder) run by torch, loaded lazily,
    offline: the `torch` backend (`NEWSDESK_EMBED_BACKEND=torch`), for GPUs."""

    def __init__(
        self,
        name: str = "all-MiniLM-L6-v2",
        model_path: Path | None = None,
        batch_size: int = 16,
        device: str = "cpu",
    ) -> None:
        self.name = name
        self.model_path = model_path or bundled_model_path()
        self.batch_size = batch_size
        self.device = device
        self.max_tokens = 256
        self.encoded = 0  # passages encoded so far; lets callers prove that no work was done

    def __getstate__(self) -> dict[str, object]:
        """Pickled (into an ingest worker) without its loaded model and tokenizer: loaded again there."""
        return {k: v for k, v in self.__dict__.items() if k not in ("model", "tokenizer")}

    @cached_property
    def model(self) -> SentenceTransformer:
        go_offline()
        from sentence_transformers import SentenceTransformer

        device = torch_device(self.device)
        model = SentenceTransformer(str(self.model_path), device=device, local_files_only=True)
        self.max_tokens = int(model.max_seq_length or self.max_tokens)
        return model

    @cached_property
    def tokenizer(self) -> Tokenizer:
        return counting_tokenizer(self.model_path)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Model tokens of each text, special tokens included (what the encoder would read)."""
        return [len(e.ids) for e in self.tokenizer.encode_batch(list(texts))]

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        self.encoded += len(texts)
        return np.asarray(vectors, dtype=np.float32)


def counting_tokenizer(model_path: Path) -> Tokenizer:
    """The model's fast tokenizer alone (no torch), untruncated and unpadded, for counting tokens."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
    tokenizer.no_truncation()  # the bundled file truncates at 128, which would hide overflow
    tokenizer.no_padding()
    return tokenizer


def torch_device(wanted: str) -> str:
    """Check a torch device name ("auto" picks cuda, then mps, then cpu) before loading onto it; a
    GPU this machine does not have gives the CPU, with a warning."""
    import torch

    kind = wanted.split(":", 1)[0]
    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if kind == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if kind == "cpu" or (kind == "cuda" and cuda) or (kind == "mps" and mps):
        return wanted
    if kind in ("cuda", "mps"):
        log.warning(GPU_FALLBACK, wanted, f"torch {torch.__version__} sees no such GPU on this machine")
        return "cpu"
    raise UserInputError(f"unknown device '{wanted}': use cpu, cuda, cuda:N, mps or auto")


_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """Fake for tests: a bag of hashed words, deterministic and instant. Records what it embedded."""

    uses_torch = False

    def __init__(self, name: str = "hashing-fake", dimension: int = 64, max_tokens: int = 256):
        self.name = name
        self.dimension = dimension
        self.max_tokens = max_tokens
        self.calls: list[list[str]] = []

    @property
    def encoded(self) -> int:
        return sum(len(call) for call in self.calls)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(_WORD.findall(text)) + 2 for text in texts]

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
            norm = float(np.linalg.norm(out[row]))
            out[row] = out[row] / norm if norm else out[row]
        return out

