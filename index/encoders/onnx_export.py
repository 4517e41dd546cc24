"""Exporting the encoder to ONNX, once, into a cache folder keyed by the model and this recipe.

The cache is the user's (`index.encoders.factory.export_root`: ~/.cache/newsdesk/encoders by default), shared
by every data directory and every process. Three files can live in a cache folder; each appears
atomically (written aside under a name of its writer's own, then renamed), so a concurrent process
or thread sees a whole file or none, and two that export at once both end with the same whole file:

- `model.onnx`: the whole sentence-transformers stack (encoder, mean pooling, normalization),
  exported with eager attention (not SDPA) so that ONNX Runtime's BERT optimizer recognises and
  fuses each layer (Attention, SkipLayerNormalization, BiasGelu, EmbedLayerNormalization). Its
  vectors are torch's, within float rounding (`tests/test_onnx_backend.py` holds the bound).
- `model-int8.onnx`: that graph with ONNX Runtime's own dynamic quantization (the `onnx-int8`
  backend): faster, slightly different vectors, an index of its own.
- `reader-int8.onnx`: that graph with torch's dynamic int8 arithmetic (`index.encoders.torch_int8`), for the
  extractive answerer's reader.

Exporting needs torch and sentence-transformers; running the files needs neither.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from index.encoders.offline import go_offline
from index.errors import StoreError

if TYPE_CHECKING:
    from index.encoders.torch_int8 import LinearWeights

Export = Literal["fp32", "int8", "reader-int8"]
FILES: dict[Export, str] = {"fp32": "model.onnx", "int8": "model-int8.onnx", "reader-int8": "reader-int8.onnx"}
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Bump when an export recipe changes: every cache folder's name changes, so older exports are
# redone instead of reused. 3: the int8 reader joined; the key follows the model files' mtimes.
EXPORT_FORMAT = 3
log = logging.getLogger(__name__)


def cache_folder(export_root: Path, model_path: Path) -> Path:
    """Where the exports of the model at `model_path` live (see `fingerprint`)."""
    return export_root / f"{model_path.name}-{fingerprint(model_path)}"


def fingerprint(model_path: Path) -> str:
    """Changes when the export recipe changes or any model file is rewritten, renamed, added or
    removed: it hashes each file's name, size and modification time (a stat each, no reading:
    this runs in every process) and the model's config."""
    parts = [f"format {EXPORT_FORMAT}"]
    for path in sorted(model_path.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            parts.append(f"{path.relative_to(model_path)}:{stat.st_size}:{stat.st_mtime_ns}")
    config = model_path / "config.json"
    if config.exists():
        parts.append(config.read_text(encoding="utf-8"))
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:10]


def export(model_path: Path, folder: Path, kind: Export) -> Path:
    """Export `model_path` into `folder`: the fp32 graph, which the others are made from, and the
    file asked for. The fp32 graph comes with the int8 reader, which the default settings read
    with, so that torch is loaded once for both. Returns the file asked for."""
    go_offline()
    paths = {k: folder / name for k, name in FILES.items()}
    todo = [k for k in _NEEDS[kind] if not paths[k].exists()]
    log.warning("exporting the encoder to %s once (a few seconds to half a minute)", folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        model = _load_torch_model(model_path) if {"fp32", "reader-int8"} & set(todo) else None
        if "fp32" in todo:
            _export_fp32(model, model_path, paths["fp32"])
        if "int8" in todo:
            _quantize(paths["fp32"], paths["int8"])
        if "reader-int8" in todo:
            try:
                _torch_int8_reader(model, paths["fp32"], paths["reader-int8"])
            except StoreError as exc:
                if kind == "reader-int8":
                    raise
                log.info("no int8 reader for this model: %s", exc)  # asked for again, and reported, when read with
    except OSError as exc:
        raise StoreError(f"cannot write the exported encoder to {folder}: {exc.strerror or exc}") from exc
    except ImportError as exc:
        raise StoreError(
            f"exporting the encoder to ONNX needs the '{exc.name}' package: pip install 'onnx>=1.17' torch"
        ) from exc
    return paths[kind]


_NEEDS: dict[Export, tuple[Export, ...]] = {
    "fp32": ("fp32", "reader-int8"), "int8": ("fp32", "int8"), "reader-int8": ("fp32", "reader-int8"),
}


def _load_torch_model(model_path: Path) -> Any:
    from sentence_transformers import SentenceTransformer

    # Eager attention: SDPA exports to a graph that ONNX Runtime's attention fusion does not match.
    return SentenceTransformer(
        str(model_path), device="cpu", local_files_only=True, model_kwargs={"attn_implementation": "eager"}
    ).eval()


def _export_fp32(model: Any, model_path: Path, out: Path) -> None:
    import torch

    tokenize = getattr(model, "preprocess", None) or model.tokenize  # preprocess: sentence-transformers 6+
    names = [n for n in INPUTS if n in tokenize(["x"])]

    class Encoder(torch.nn.Module):
        """The whole sentence-transformers stack (encoder, pooling, normalization) as one graph."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(dict(zip(names, tensors)))["sentence_embedding"]  # type: ignore[no-any-return]

    sample = tokenize(["an example sentence", "and another, longer example sentence"])
    axes: dict[str, Any] = {n: {0: "batch", 1: "tokens"} for n in names}
    partial = _partial(out)
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

    partial = _partial(out)
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


def _torch_int8_reader(model: Any, fp32: Path, out: Path) -> None:
    import onnx

    from index.encoders.torch_int8 import quantize_like_torch

    graph = onnx.load(str(fp32))
    quantize_like_torch(graph, _torch_int8_weights(model))
    partial = _partial(out)
    onnx.save(graph, str(partial))
    partial.replace(out)


def _torch_int8_weights(model: Any) -> dict[str, LinearWeights]:
    """Each linear layer's float weight, and its int8 weight and per-channel scales exactly as
    torch's dynamic quantization (per-channel qconfig, what earlier versions read with) makes them."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    from index.encoders.torch_int8 import LinearWeights

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's own deprecation notices; torch is pinned
        quantized = quantize_dynamic(  # type: ignore[no-untyped-call]
            model, {torch.nn.Linear: per_channel_dynamic_qconfig}, inplace=False
        )
    floats = dict(model.named_modules())
    weights = {}
    for name, module in quantized.named_modules():
        if hasattr(module, "_packed_params") and isinstance(floats.get(name), torch.nn.Linear):
            weight = module.weight()
            weights[name] = LinearWeights(
                floats[name].weight.detach().numpy(), weight.int_repr().numpy(),
                weight.q_per_channel_scales().numpy().astype("float32"),
            )
    return weights


def _partial(out: Path) -> Path:
    """Where `out` is written before it is renamed: a name of this process's and thread's own."""
    return out.with_suffix(f".{os.getpid()}-{threading.get_ident()}.partial")


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)
