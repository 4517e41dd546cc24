"""The ONNX Runtime backends: exported once from the bundled model, checked against the torch vectors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from index.embedder import Embedder, SentenceTransformerEmbedder
from index.errors import IndexMismatchError, UserInputError
from index.factory import create_embedder, index_spec
from index.onnx_embedder import OnnxEmbedder
from tests.conftest import SEEDS

TEXTS = [
    "Two days later, the protests engulfed Almaty, the largest city of Kazakhstan.",
    "The central bank raised interest rates by half a point on Wednesday.",
    "Short.",
    "A much longer passage " + "about the harbour, the ferries and the storm that closed them " * 12,
]


@pytest.fixture(scope="session")
def onnx_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose encoders/ folder holds both exports, made once per session."""
    home = tmp_path_factory.mktemp("onnx") / "home"
    for backend in ("onnx", "onnx-int8"):
        embedder = embedder_for(settings_with(home, backend))
        assert isinstance(embedder, OnnxEmbedder)
        embedder.embed(["warm up"])
        assert embedder.exported
    return home


def embedder_for(settings: Settings) -> Embedder:
    return create_embedder(settings.embedding, settings.store.home)


def settings_with(home: Path, backend: str) -> Settings:
    settings = load_settings(home=home)
    settings.embedding = settings.embedding.model_copy(update={"backend": backend})
    return settings


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


def test_exports_are_made_once_and_reused(onnx_home: Path) -> None:
    files = sorted(p.name for p in (onnx_home / "encoders").glob("*/*.onnx"))
    assert files == ["model-int8.onnx", "model.onnx"]
    again = embedder_for(settings_with(onnx_home, "onnx-int8"))
    again.embed(["no second export"])
    assert isinstance(again, OnnxEmbedder) and not again.exported


def test_exports_run_fused_transformer_layers(onnx_home: Path) -> None:
    import onnx

    def ops(name: str) -> Counter[str]:
        (path,) = (onnx_home / "encoders").glob(f"*/{name}")
        return Counter(node.op_type for node in onnx.load(str(path), load_external_data=False).graph.node)

    fp32, int8 = ops("model.onnx"), ops("model-int8.onnx")
    assert fp32["Attention"] == 6 and fp32["SkipLayerNormalization"] == 12 and fp32["BiasGelu"] == 6
    assert int8["QAttention"] == 6 and int8["MatMulInteger"] == 18 and int8["Attention"] == 0


def test_thread_count_reaches_the_session(onnx_home: Path) -> None:
    embedder = embedder_for(settings_with(onnx_home, "onnx-int8"))
    assert isinstance(embedder, OnnxEmbedder)
    embedder.threads = 1
    assert embedder.session.get_session_options().intra_op_num_threads == 1
    assert embedder.embed(TEXTS).shape == (len(TEXTS), 384)


def test_onnx_gives_the_torch_vectors_and_int8_stays_close(
    onnx_home: Path, embedder: SentenceTransformerEmbedder
) -> None:
    reference = embedder.embed(TEXTS)
    exact = embedder_for(settings_with(onnx_home, "onnx")).embed(TEXTS)
    quantized = embedder_for(settings_with(onnx_home, "onnx-int8")).embed(TEXTS)
    assert exact.shape == quantized.shape == reference.shape
    assert exact.dtype == np.float32
    assert np.allclose(np.linalg.norm(quantized, axis=1), 1.0, atol=1e-5)
    assert cosines(exact, reference).min() > 0.9999
    assert cosines(quantized, reference).min() > 0.97
    assert cosines(quantized, reference).max() < 0.99999  # really another set of vectors


def test_token_counts_and_limits_match_the_torch_backend(
    onnx_home: Path, embedder: SentenceTransformerEmbedder
) -> None:
    onnx = embedder_for(settings_with(onnx_home, "onnx"))
    assert onnx.count_tokens(TEXTS) == embedder.count_tokens(TEXTS)
    assert onnx.max_tokens == 256


def test_each_backend_has_its_own_index(onnx_home: Path, embedder: SentenceTransformerEmbedder) -> None:
    names = {embedder_for(settings_with(onnx_home, b)).name for b in ("torch", "onnx", "onnx-int8")}
    assert names == {"all-MiniLM-L6-v2", "all-MiniLM-L6-v2+onnx", "all-MiniLM-L6-v2+onnx-int8"}
    settings = settings_with(onnx_home, "onnx-int8")
    keys = {index_spec(settings.chunking, embedder_for(settings_with(onnx_home, b))).key()
            for b in ("torch", "onnx", "onnx-int8")}
    assert len(keys) == 3


def test_ingest_and_ask_with_onnx_int8(
    onnx_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder
) -> None:
    home = tmp_path / "home"
    (home / "encoders").parent.mkdir(parents=True)
    (home / "encoders").symlink_to(onnx_home / "encoders")  # reuse the session's export
    runner = CliRunner()
    done = runner.invoke(app, ["ingest", str(SEEDS), "--embed-backend", "onnx-int8", "--json",
                               "--data-dir", str(home)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["added"] == 1

    monkeypatch.setenv("NEWSDESK_EMBED_BACKEND", "onnx-int8")
    asked = runner.invoke(app, ["ask", "--json", "When did protests reach Almaty?", "--data-dir", str(home)],
                          catch_exceptions=False)
    assert asked.exit_code == 0, asked.output
    assert any("the protests engulfed Almaty" in c["quote"] for c in json.loads(asked.stdout)["citations"])

    monkeypatch.delenv("NEWSDESK_EMBED_BACKEND")
    with pytest.raises(IndexMismatchError, match=r"all-MiniLM-L6-v2\+onnx-int8"):
        _ = Runtime(load_settings(home=home), embedder=embedder).store


def test_unknown_backend_and_gpu_device_are_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    with pytest.raises(UserInputError, match="unknown --embed-backend 'tflite'"):
        runner.invoke(app, ["ingest", str(SEEDS), "--embed-backend", "tflite", "--data-dir", str(tmp_path)],
                      catch_exceptions=False)
    with pytest.raises(UserInputError, match="run on the CPU"):
        OnnxEmbedder(device="cuda")


def test_a_bad_backend_setting_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_EMBED_BACKEND", "tflite")
    with pytest.raises(UserInputError, match="invalid setting NEWSDESK_EMBED_BACKEND='tflite'"):
        load_settings()
