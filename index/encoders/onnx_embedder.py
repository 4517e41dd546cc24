"""The ONNX Runtime encoders: the model exported once (`index.encoders.onnx_export`), run without torch.

- `onnx` (the default backend): the exported fp32 graph. Its vectors are the torch backend's
  within float rounding (1 - cosine below 1e-6 on real text; docs/scale.md), so it carries the
  model's plain name: an index built with torch is read with it, and the other way round.
- `onnx-int8`: every matrix product and attention block quantized by ONNX Runtime (per channel),
  well over twice torch's speed, with slightly different vectors; an index of its own
  (`all-MiniLM-L6-v2+onnx-int8`).
- `Int8SentenceEncoder`: torch's dynamic int8 arithmetic (`index.encoders.torch_int8`), which the extractive
  answerer reads sentences with; never an index's encoder.

Encoding needs only onnxruntime and tokenizers: no torch, no transformers, so a cold start is
seconds shorter. Exporting needs torch and sentence-transformers, once per model and recipe.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from index.encoders.embedder import GPU_FALLBACK, Vectors, counting_tokenizer
from index.encoders.offline import bundled_model_path
from index.encoders.onnx_export import FILES, INPUTS, Export, cache_folder, export
from index.errors import UserInputError

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Encoding, Tokenizer

BACKENDS = ("torch", "onnx", "onnx-int8")

log = logging.getLogger(__name__)


class OnnxEmbedder:
    """A sentence-transformers model run by ONNX Runtime on the CPU. Exports itself on first use."""

    export_kind: Export = "fp32"
    uses_torch = False  # encoding needs onnxruntime and tokenizers only (exporting, done once, needs torch)

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
        self.providers = execution_providers(device)
        if int8:
            self.export_kind = "int8"
        self.backend = "onnx-int8" if int8 else "onnx"
        # fp32 gives the torch backend's vectors, so it shares torch's index; int8 has its own.
        self.name = f"{name}+onnx-int8" if int8 else name
        # Indexes this encoder's vectors also fit: earlier versions named the fp32 backend's.
        self.legacy_names: tuple[str, ...] = () if int8 else (f"{name}+onnx",)
        self.model_path = model_path or bundled_model_path()
        self.export_root = export_root or Path.cwd() / "encoders"
        self.batch_size = batch_size
        self.threads = threads  # ONNX Runtime's intra-op threads; 0: one per physical core
        self.max_tokens = _max_seq_length(self.model_path)
        self.encoded = 0
        self.exported = False  # True when this instance had to export the model

    @property
    def model_file(self) -> Path:
        return cache_folder(self.export_root, self.model_path) / FILES[self.export_kind]

    def prepare(self) -> None:
        """Export the model now if it is not cached yet (once, before processes that load it)."""
        if not self.model_file.exists():
            export(self.model_path, self.model_file.parent, self.export_kind)
            self.exported = True

    def __getstate__(self) -> dict[str, object]:
        """Pickled (into an ingest worker) without its loaded session and tokenizers: loaded again there."""
        return {k: v for k, v in self.__dict__.items() if k not in ("session", "tokenizer", "_batch_tokenizer")}

    @cached_property
    def session(self) -> onnxruntime.InferenceSession:
        import onnxruntime

        self.prepare()
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        options.intra_op_num_threads = self.threads
        # Idle threads sleep instead of spinning: on a shared CPU spinning steals the cores the
        # other thread (or process) needs, and costs little on an idle one.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return onnxruntime.InferenceSession(str(self.model_file), options, providers=self.providers)

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
        encoded = self._batch_tokenizer.encode_batch(list(texts))
        # Longest first by tokens, so that each batch pads to a similar length.
        order = np.argsort([-len(e.ids) for e in encoded], kind="stable")
        return self._run(encoded, order)

    def _run(self, encoded: Sequence[Encoding], order: npt.NDArray[np.intp]) -> Vectors:
        """Encode `encoded` in batches taken in `order`; unit vectors."""
        session = self.session
        inputs = {i.name for i in session.get_inputs()}
        out = np.zeros((len(encoded), _dimension(session)), dtype=np.float32)
        for start in range(0, len(encoded), self.batch_size):
            rows = order[start : start + self.batch_size]
            batch = [encoded[i] for i in rows]
            width = max(len(e.ids) for e in batch)
            feed = {name: np.zeros((len(rows), width), dtype=np.int64) for name in INPUTS}
            for row, e in enumerate(batch):
                ids = e.ids
                feed["input_ids"][row, : len(ids)] = ids
                feed["attention_mask"][row, : len(ids)] = 1
                feed["token_type_ids"][row, : len(ids)] = e.type_ids
            out[rows] = session.run(None, {k: v for k, v in feed.items() if k in inputs})[0]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        self.encoded += len(encoded)
        return (out / np.where(norms == 0, 1.0, norms)).astype(np.float32)


class Int8SentenceEncoder(OnnxEmbedder):
    """The extractive answerer's reader: torch's dynamic int8 version of the model (per-channel
    weights, 7-bit activations; `index.encoders.torch_int8`), exported once and run by ONNX Runtime.

    On two loaded cores it read 69 sentences/s, against 41 for the fp32 graph and 25 for torch's
    int8 reader (`benchmarks/README.md`); its vectors differ from the model's (cosine about
    0.975), so it never encodes an index. It batches as sentence-transformers
    does (longest text first by characters, 16 a batch), because int8 activations are quantized
    over a whole batch: the same batches give the same vectors as the torch reader of earlier
    versions, within the rounding noise that `index.encoders.torch_int8` describes.
    """

    export_kind: Export = "reader-int8"

    def __init__(self, name: str, model_path: Path | None, export_root: Path, batch_size: int = 16) -> None:
        super().__init__(name, model_path, export_root, batch_size=batch_size)
        self.name = f"{name}+int8-reader"
        self.legacy_names = ()

    def embed(self, texts: Sequence[str]) -> Vectors:
        encoded = self._batch_tokenizer.encode_batch(list(texts))
        # sentence-transformers' order: numpy's default sort of negated character counts.
        return self._run(encoded, np.argsort([-len(text) for text in texts]))


def execution_providers(device: str) -> list[str | tuple[str, dict[str, str]]]:
    """ONNX Runtime's providers for a device: the CPU's; for cuda (or auto), CUDA's first when this
    onnxruntime has it (the onnxruntime-gpu package), else the CPU's with a warning."""
    kind, _, number = device.partition(":")
    if kind == "cpu":
        return ["CPUExecutionProvider"]
    if kind not in ("cuda", "auto") or (number and not number.isdigit()):
        raise UserInputError(
            f"the onnx backends run on cpu or cuda (cuda:N, auto); use --embed-backend torch for '{device}'"
        )
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        return [("CUDAExecutionProvider", {"device_id": number or "0"}), "CPUExecutionProvider"]
    if kind == "cuda":
        log.warning(GPU_FALLBACK, device, f"onnxruntime {onnxruntime.__version__} has no CUDA provider "
                    "(install onnxruntime-gpu)")
    return ["CPUExecutionProvider"]


def _max_seq_length(model_path: Path) -> int:
    try:
        config = json.loads((model_path / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


def _dimension(session: onnxruntime.InferenceSession) -> int:
    shape = session.get_outputs()[0].shape
    return int(shape[-1]) if isinstance(shape[-1], int) else 384
