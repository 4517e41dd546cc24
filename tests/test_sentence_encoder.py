"""The int8 reader: torch's dynamic int8 version of the model, exported once and run by ONNX
Runtime, that the extractive answerer compares sentences with."""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from bot.extractive.answerer import ExtractiveAnswerer
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from index.encoders.embedder import HashingEmbedder, SentenceTransformerEmbedder
from index.encoders.factory import create_embedder
from index.encoders.onnx_embedder import Int8SentenceEncoder, OnnxEmbedder
from index.encoders.torch_int8 import LinearWeights, quantize_like_torch
from index.retrieval import HybridRetriever, RerankedRetriever

if TYPE_CHECKING:
    import torch

pytestmark = pytest.mark.slow

QUESTION = "When did protests reach Almaty?"
SENTENCES = [
    "Two days later, the protests engulfed Almaty, in the country's southeast.",
    "The police used flashbangs to disperse the crowd.",
    "The recipe calls for two cups of flour and a pinch of salt.",
]


@pytest.fixture
def reader_settings(tmp_path: Path) -> Settings:
    return load_settings(home=tmp_path / "home")  # exports: the session's shared cache (conftest)


def test_reads_close_to_the_exact_model_and_ranks_alike(
    reader_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    reader = Runtime(reader_settings, embedder=embedder).sentence_encoder
    assert isinstance(reader, Int8SentenceEncoder)
    exact, fast = embedder.embed([QUESTION, *SENTENCES]), reader.embed([QUESTION, *SENTENCES])
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    assert float(np.min(np.sum(exact * fast, axis=1))) > 0.9
    assert float(np.max(np.sum(exact * fast, axis=1))) < 0.99999  # really quantized
    assert list(np.argsort(-(exact[1:] @ exact[0]))) == list(np.argsort(-(fast[1:] @ fast[0])))
    assert reader.name == f"{embedder.name}+int8-reader"  # never mistaken for the index's encoder

    again = Runtime(reader_settings, embedder=embedder).sentence_encoder
    assert isinstance(again, Int8SentenceEncoder) and not again.exported  # exported once, then cached


@pytest.fixture(scope="module")
def torch_int8(embedder: SentenceTransformerEmbedder) -> torch.nn.Module:
    """The model as earlier versions read with: torch's dynamic int8, quantized in the process."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic(embedder.model, {torch.nn.Linear: per_channel_dynamic_qconfig}, inplace=False)


def test_each_linear_layer_is_quantized_as_torch_does(torch_int8: torch.nn.Module) -> None:
    """A linear layer of the model, rewritten by `quantize_like_torch`, gives torch's int8 results
    within float rounding (torch quantizes its input per call: min, max, 7 bits, zero point)."""
    import onnxruntime
    import torch
    from onnx import TensorProto, helper, numpy_helper

    name = next(n for n in dict(torch_int8.named_modules()) if n.endswith("layer.0.intermediate.dense"))
    layer = dict(torch_int8.named_modules())[name]
    weight = layer.weight()
    float_weight = weight.dequantize().numpy()  # any float weight: it only identifies the layer
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="dense")], "one layer",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.ascontiguousarray(float_weight.T), "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    quantize_like_torch(model, {name: LinearWeights(float_weight, weight.int_repr().numpy(),
                                                    weight.q_per_channel_scales().numpy().astype(np.float32))})
    assert Counter(n.op_type for n in model.graph.node)["MatMulInteger"] == 1
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    inputs = np.random.default_rng(7).normal(0.3, 2.0, size=(3, 11, 384)).astype(np.float32)
    with torch.no_grad():
        theirs = (layer(torch.from_numpy(inputs)) - layer.bias()).numpy()
    ours = session.run(None, {"x": inputs})[0]
    assert np.abs(ours - theirs).max() < 1e-5 * np.abs(theirs).max()


def test_reads_as_close_to_torch_int8_as_two_torch_runs_are(
    reader_settings: Settings, embedder: SentenceTransformerEmbedder, torch_int8: torch.nn.Module
) -> None:
    """Not bit for bit: a float result one bit off can land on the other side of a rounding step,
    which moves the next layers' ranges (as torch's own AVX2 and AVX-512 kernels do to each other).
    Measured on 400 dev-kit sentences: 1 - cosine at most 0.029, 0.0075 on average (docs/scale.md)."""
    texts = [QUESTION, *SENTENCES]
    theirs = torch_int8.encode(texts, normalize_embeddings=True, convert_to_numpy=True, batch_size=16)
    ours = Runtime(reader_settings, embedder=embedder).sentence_encoder.embed(texts)
    assert float(np.max(1 - np.sum(theirs * ours, axis=1))) < 0.05


def test_the_answerer_reads_with_int8_by_default_and_exact_on_request(
    reader_settings: Settings, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = Runtime(reader_settings, embedder=embedder)
    answerer = runtime.raw_answerer
    assert isinstance(answerer, ExtractiveAnswerer) and isinstance(answerer.reader, Int8SentenceEncoder)
    retriever = runtime.retriever
    assert isinstance(retriever, RerankedRetriever) and isinstance(retriever.inner, HybridRetriever)
    assert retriever.inner.embedder is embedder  # retrieval keeps the index's encoder

    default = Runtime(reader_settings)  # the onnx backend reads with the same int8 reader
    assert isinstance(default.embedder, OnnxEmbedder) and isinstance(default.sentence_encoder, Int8SentenceEncoder)

    monkeypatch.setenv("NEWSDESK_ANSWER_READER", "exact")
    assert Runtime(load_settings(home=reader_settings.store.home), embedder=embedder).sentence_encoder is embedder


def test_quantized_and_fake_encoders_read_with_themselves(reader_settings: Settings) -> None:
    int8 = reader_settings.model_copy(deep=True)
    int8.embedding = int8.embedding.model_copy(update={"backend": "onnx-int8"})
    runtime = Runtime(int8)
    assert runtime.sentence_encoder is runtime.embedder
    fake = HashingEmbedder()
    assert Runtime(reader_settings, embedder=fake).sentence_encoder is fake


def test_a_reader_that_cannot_be_exported_reads_with_the_exact_encoder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the export cache should go\n", encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_EMBED_EXPORT_DIR", str(blocked))
    settings = load_settings(home=tmp_path / "home")
    exact = create_embedder(settings.embedding.model_copy(update={"backend": "torch"}))
    with caplog.at_level(logging.WARNING):
        reader = Runtime(settings, embedder=exact).sentence_encoder
    assert reader is exact
    assert "reading with the index's encoder: cannot write the exported encoder" in caplog.text
