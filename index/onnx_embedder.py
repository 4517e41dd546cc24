"""The ONNX Runtime encoder: the same model exported once, offline, into the data directory.

`onnx` gives the exact vectors of the torch backend, faster; `onnx-int8` also quantizes the weights
of every matrix product and attention block (per channel) for well over twice torch's speed, with
slightly different vectors. Each backend is part of the embedder's name, so their vectors never
share an index.

The export uses eager attention (not SDPA) so that ONNX Runtime's BERT optimizer recognises and
fuses each layer (Attention, SkipLayerNormalization, BiasGelu, EmbedLayerNormalization); the
quantizer then turns the fused attention into QAttention.

Encoding needs only onnxruntime and tokenizers (no torch, no transformers: a cold start is
seconds shorter). The export needs torch and sentence-transformers once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.embedder import Vectors, counting_tokenizer
from index.errors import StoreError, UserInputError
from index.offline import bundled_model_path, go_offline

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

BACKENDS = ("torch", "onnx", "onnx-int8")
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
EXPORT_FORMAT = 2  # bump when the export recipe changes: older exports are then redone
log = logging.getLogger(__name__)


class OnnxEmbedder:
    """A sentence-transformers model run by ONNX Runtime on the CPU. Exports itself on first use."""

    def __init__(
        self,
        name: str = "all-MiniLM-L6-v2",
        model_path: Path | None = None,
        export_root: Path | None = None,
        int8: bool = False,
        batch_size: int = 16,
        device: str = "cpu",
        threads: int = 0,
    ) -> None:
        if device.split(":", 1)[0] not in ("cpu", "auto"):
            raise UserInputError(
                f"the onnx backends run on the CPU here; use --device cpu, or --embed-backend torch for '{device}'"
            )
        self.backend = "onnx-int8" if int8 else "onnx"
        self.name = f"{name}+{self.backend}"
        self.model_path = model_path or bundled_model_path()
        self.export_root = export_root or Path.cwd() / "encoders"
        self.batch_size = batch_size
        self.threads = threads  # ONNX Runtime's intra-op threads; 0: one per physical core
        self.max_tokens = _max_seq_length(self.model_path)
        self.encoded = 0
        self.exported = False  # True when this instance had to export the model

    @property
    def model_file(self) -> Path:
        folder = self.export_root / f"{self.model_path.name}-{_fingerprint(self.model_path)}"
        return folder / ("model-int8.onnx" if self.backend == "onnx-int8" else "model.onnx")

    @cached_property
    def session(self) -> onnxruntime.InferenceSession:
        import onnxruntime

        if not self.model_file.exists():
            export(self.model_path, self.model_file.parent, int8=self.backend == "onnx-int8")
            self.exported = True
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        options.intra_op_num_threads = self.threads
        # Idle threads sleep instead of spinning: on a shared CPU spinning steals the cores the
        # other thread (or process) needs, and costs little on an idle one.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return onnxruntime.InferenceSession(str(self.model_file), options, providers=["CPUExecutionProvider"])

    @cached_property
    def tokenizer(self) -> Tokenizer:
        return counting_tokenizer(self.model_path)

    @cached_property
    def _batch_tokenizer(self) -> Tokenizer:
        tokenizer = counting_tokenizer(self.model_path)
        tokenizer.enable_truncation(self.max_tokens)  # what sentence-transformers does
        return tokenizer

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in self.tokenizer.encode_batch(list(texts))]

    def embed(self, texts: Sequence[str]) -> Vectors:
        session = self.session
        inputs = {i.name for i in session.get_inputs()}
        out = np.zeros((len(texts), _dimension(session)), dtype=np.float32)
        encoded = self._batch_tokenizer.encode_batch(list(texts))
        # Longest first by tokens, so that each batch pads to a similar length.
        order = np.argsort([-len(e.ids) for e in encoded], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = len(encoded[rows[0]].ids)
            feed = {name: np.zeros((len(rows), width), dtype=np.int64) for name in _INPUTS}
            for row, i in enumerate(rows):
                e = encoded[i]
                feed["input_ids"][row, : len(e.ids)] = e.ids
                feed["attention_mask"][row, : len(e.ids)] = 1
                feed["token_type_ids"][row, : len(e.ids)] = e.type_ids
            out[rows] = session.run(None, {k: v for k, v in feed.items() if k in inputs})[0]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        self.encoded += len(texts)
        return (out / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def export(model_path: Path, folder: Path, int8: bool) -> Path:
    """Export `model_path` to `folder/model.onnx` (and `model-int8.onnx`); returns the file asked for.

    Files appear atomically, so a concurrent process sees a whole file or none.
    """
    go_offline()
    fp32 = folder / "model.onnx"
    target = folder / "model-int8.onnx" if int8 else fp32
    log.warning("exporting the encoder to %s once (about half a minute)", target)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not fp32.exists():
            _export_fp32(model_path, fp32)
        if int8 and not target.exists():
            _quantize(fp32, target)
    except OSError as exc:
        raise StoreError(f"cannot write the exported encoder to {folder}: {exc.strerror or exc}") from exc
    except ImportError as exc:
        raise StoreError(
            f"exporting to ONNX needs the '{exc.name}' package: pip install 'onnx>=1.17'"
        ) from exc
    return target


def _export_fp32(model_path: Path, out: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    # Eager attention: SDPA exports to a graph that ONNX Runtime's attention fusion does not match.
    model = SentenceTransformer(
        str(model_path), device="cpu", local_files_only=True, model_kwargs={"attn_implementation": "eager"}
    ).eval()
    tokenize = getattr(model, "preprocess", None) or model.tokenize  # preprocess: sentence-transformers 6+
    names = [n for n in _INPUTS if n in tokenize(["x"])]

    class Encoder(torch.nn.Module):
        """The whole sentence-transformers stack (encoder, pooling, normalization) as one graph."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(dict(zip(names, tensors)))["sentence_embedding"]  # type: ignore[no-any-return]

    sample = tokenize(["an example sentence", "and another, longer example sentence"])
    axes: dict[str, Any] = {n: {0: "batch", 1: "tokens"} for n in names}
    partial = out.with_suffix(f".{os.getpid()}.partial")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter is deprecated, and still the fast one
        torch.onnx.export(
            Encoder(), tuple(sample[n] for n in names), str(partial), input_names=names,
            output_names=["sentence_embedding"], dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
            opset_version=17, dynamo=False,
        )
    _fuse(partial, json.loads((model_path / "config.json").read_text(encoding="utf-8")))
    partial.replace(out)


def _fuse(path: Path, config: dict[str, Any]) -> None:
    """Rewrite each transformer layer into ONNX Runtime's fused CPU kernels, in place."""
    from onnxruntime.transformers.optimizer import optimize_model

    with _quiet_root_logger():  # the optimizer logs every fusion pass on the root logger
        fused = optimize_model(
            str(path), model_type="bert", num_heads=config["num_attention_heads"],
            hidden_size=config["hidden_size"], opt_level=0,
        )
    counts = fused.get_fused_operator_statistics()
    if counts.get("Attention", 0) != config["num_hidden_layers"]:
        log.warning("the encoder export fused %s attention blocks of %s: it will run slower",
                    counts.get("Attention", 0), config["num_hidden_layers"])
    fused.save_model_to_file(str(path))


def _quantize(fp32: Path, out: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    partial = out.with_suffix(f".{os.getpid()}.partial")
    with _quiet_root_logger():  # the quantizer logs generic advice on the root logger
        # Per-channel int8 weights of the matrix products and the fused attention only:
        # per-tensor scales or a quantized embedding table cost several points of cosine to the
        # torch vectors (0.95 instead of 0.99).
        quantize_dynamic(
            str(fp32), str(partial), weight_type=QuantType.QInt8, per_channel=True,
            op_types_to_quantize=["MatMul", "Attention"],
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    partial.replace(out)


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def _fingerprint(model_path: Path) -> str:
    """Changes when the model's files or the export recipe change (cheap: sizes, not contents)."""
    parts = [str(EXPORT_FORMAT)]
    for path in sorted(model_path.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            parts.append(f"{path.relative_to(model_path)}:{path.stat().st_size}")
    config = model_path / "config.json"
    if config.exists():
        parts.append(config.read_text(encoding="utf-8"))
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:10]


def _max_seq_length(model_path: Path) -> int:
    try:
        config = json.loads((model_path / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


def _dimension(session: onnxruntime.InferenceSession) -> int:
    shape = session.get_outputs()[0].shape
    return int(shape[-1]) if isinstance(shape[-1], int) else 384
