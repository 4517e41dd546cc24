"""The ONNX Runtime backends: exported once from the bundled model, cached by model and recipe,
checked against the torch vectors; `onnx` (the default) reads indexes built with torch."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from index.encoders import onnx_export
from index.encoders.embedder import Embedder, SentenceTransformerEmbedder
from index.encoders.factory import create_embedder
from index.encoders.offline import bundled_model_path
from index.encoders.onnx_embedder import Int8SentenceEncoder, OnnxEmbedder
from index.errors import IndexMismatchError, UserInputError
from index.factory import index_spec
from tests.conftest import REPO, SEEDS, ask

TEXTS = [
    "Two days later, the protests engulfed Almaty, the largest city of Kazakhstan.",
    "The central bank raised interest rates by half a point on Wednesday.",
    "Short.",
    "A much longer passage " + "about the harbour, the ferries and the storm that closed them " * 12,
]
# 1 - cosine between the onnx and torch backends' vectors. Measured on 1,503 dev-kit texts
# (passages and questions): at most 1.8e-7, float rounding (docs/scale.md). Within this bound the
# two backends share an index.
SAME_VECTORS = 1e-6


@pytest.fixture(scope="session")
def export_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export cache of its own (the export is under test here) holding the fp32 and int8
    exports, made once per session."""
    root = tmp_path_factory.mktemp("encoders")
    for int8 in (False, True):
        embedder = OnnxEmbedder(export_root=root, int8=int8)
        embedder.embed(["warm up"])
        assert embedder.exported
    return root


def embedder_for(settings: Settings) -> Embedder:
    return create_embedder(settings.embedding)


def settings_with(home: Path, backend: str, export_root: Path | None = None) -> Settings:
    settings = load_settings(home=home)
    update: dict[str, object] = {"backend": backend}
    if export_root is not None:
        update["export_dir"] = export_root
    settings.embedding = settings.embedding.model_copy(update=update)
    return settings


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


def test_onnx_is_the_default_and_writes_its_exports_where_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One export per user and machine, in the user's cache folder, whatever the data directory."""
    monkeypatch.delenv("NEWSDESK_EMBED_EXPORT_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    default = embedder_for(load_settings(home=tmp_path / "home"))
    assert isinstance(default, OnnxEmbedder) and default.backend == "onnx"
    assert default.model_file.is_relative_to(tmp_path / "user" / ".cache" / "newsdesk" / "encoders")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for home in ("home", "other-home"):
        shared = embedder_for(load_settings(home=tmp_path / home))
        assert isinstance(shared, OnnxEmbedder)
        assert shared.model_file.is_relative_to(tmp_path / "xdg" / "newsdesk" / "encoders")
    monkeypatch.setenv("NEWSDESK_EMBED_EXPORT_DIR", str(tmp_path / "cache"))
    elsewhere = embedder_for(load_settings(home=tmp_path / "home"))
    assert isinstance(elsewhere, OnnxEmbedder) and elsewhere.model_file.is_relative_to(tmp_path / "cache")


def test_data_directories_reuse_the_one_export_of_the_user_cache(
    tmp_path: Path, export_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSDESK_EMBED_EXPORT_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "newsdesk").mkdir(parents=True)
    (tmp_path / "xdg" / "newsdesk" / "encoders").symlink_to(export_root)  # the cache, exported once
    for home in (tmp_path / "first", tmp_path / "second"):
        runtime = Runtime(load_settings(home=home))
        runtime.ingest([SEEDS])
        assert isinstance(runtime.embedder, OnnxEmbedder) and not runtime.embedder.exported
        reader = runtime.sentence_encoder  # the int8 reader, from the same cache
        assert isinstance(reader, Int8SentenceEncoder) and not reader.exported
        assert not (home / "encoders").exists()


def test_exports_are_made_once_and_reused_by_other_processes(export_root: Path) -> None:
    files = sorted(export_root.glob("*/*.onnx"))
    assert sorted(p.name for p in files) == ["model-int8.onnx", "model.onnx", "reader-int8.onnx"]
    written = {p: p.stat().st_mtime_ns for p in files}
    again = OnnxEmbedder(export_root=export_root, int8=True)
    again.embed(["no second export"])
    assert not again.exported
    script = (
        "import sys; from pathlib import Path; from index.encoders.onnx_embedder import OnnxEmbedder\n"
        "e = OnnxEmbedder(export_root=Path(sys.argv[1])); e.embed(['x'])\n"
        "print(e.exported, 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script, str(export_root)], capture_output=True, text=True,
                          cwd=REPO, check=True)
    assert done.stdout.split() == ["False", "False"]  # neither exported nor needed torch
    assert {p: p.stat().st_mtime_ns for p in files} == written


def test_a_changed_model_or_recipe_gets_a_new_export(
    tmp_path: Path, export_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "model"
    shutil.copytree(bundled_model_path(), copy)  # same files, same times: the same export
    assert OnnxEmbedder(model_path=copy, export_root=export_root).model_file == \
        OnnxEmbedder(export_root=export_root).model_file
    own = tmp_path / "encoders"  # the changed model's export goes elsewhere
    original = OnnxEmbedder(export_root=own).model_file

    weights = copy / "model.safetensors"
    with weights.open("r+b") as handle:  # one weight, last mantissa bit: same size, other model
        data_start = 8 + struct.unpack("<Q", handle.read(8))[0]
        handle.seek(data_start)
        byte = handle.read(1)[0]
        handle.seek(data_start)
        handle.write(bytes([byte ^ 1]))
    changed = OnnxEmbedder(model_path=copy, export_root=own)
    assert changed.model_file != original and not changed.model_file.exists()
    vectors = changed.embed(TEXTS)
    assert changed.exported and changed.model_file.exists()
    assert cosines(vectors, OnnxEmbedder(export_root=export_root).embed(TEXTS)).min() > 0.999

    monkeypatch.setattr(onnx_export, "EXPORT_FORMAT", onnx_export.EXPORT_FORMAT + 1)
    assert OnnxEmbedder(export_root=own).model_file != original


def test_exports_run_fused_transformer_layers(export_root: Path) -> None:
    import onnx

    def ops(name: str) -> Counter[str]:
        (path,) = export_root.glob(f"*/{name}")
        return Counter(node.op_type for node in onnx.load(str(path), load_external_data=False).graph.node)

    fp32, int8, reader = ops("model.onnx"), ops("model-int8.onnx"), ops("reader-int8.onnx")
    assert fp32["Attention"] == 6 and fp32["SkipLayerNormalization"] == 12 and fp32["BiasGelu"] == 6
    assert int8["QAttention"] == 6 and int8["MatMulInteger"] == 18 and int8["Attention"] == 0
    # the reader: the same fused layers, torch's int8 arithmetic in every matrix product
    assert reader["QAttention"] == 6 and reader["MatMulInteger"] == 18
    assert reader["Attention"] == reader["MatMul"] == reader["DynamicQuantizeLinear"] == 0
    assert reader["SkipLayerNormalization"] == 12 and reader["BiasGelu"] == 6


def test_thread_count_reaches_the_session(export_root: Path) -> None:
    embedder = OnnxEmbedder(export_root=export_root, int8=True)
    embedder.threads = 1
    assert embedder.session.get_session_options().intra_op_num_threads == 1
    assert embedder.embed(TEXTS).shape == (len(TEXTS), 384)


def test_onnx_gives_the_torch_vectors_and_int8_stays_close(
    export_root: Path, embedder: SentenceTransformerEmbedder
) -> None:
    reference = embedder.embed(TEXTS)
    exact = OnnxEmbedder(export_root=export_root).embed(TEXTS)
    quantized = OnnxEmbedder(export_root=export_root, int8=True).embed(TEXTS)
    assert exact.shape == quantized.shape == reference.shape
    assert exact.dtype == np.float32
    assert np.allclose(np.linalg.norm(quantized, axis=1), 1.0, atol=1e-5)
    assert 1 - cosines(exact, reference).min() < SAME_VECTORS
    assert cosines(quantized, reference).min() > 0.97
    assert cosines(quantized, reference).max() < 0.99999  # really another set of vectors


def test_token_counts_and_limits_match_the_torch_backend(
    export_root: Path, embedder: SentenceTransformerEmbedder
) -> None:
    onnx = OnnxEmbedder(export_root=export_root)
    assert onnx.count_tokens(TEXTS) == embedder.count_tokens(TEXTS)
    assert onnx.max_tokens == 256


def test_onnx_shares_the_torch_index_and_int8_has_its_own(tmp_path: Path, export_root: Path) -> None:
    names = {b: embedder_for(settings_with(tmp_path, b, export_root)).name for b in ("torch", "onnx", "onnx-int8")}
    assert names == {"torch": "all-MiniLM-L6-v2", "onnx": "all-MiniLM-L6-v2",
                     "onnx-int8": "all-MiniLM-L6-v2+onnx-int8"}
    settings = settings_with(tmp_path, "onnx", export_root)
    keys = {index_spec(settings.chunking, embedder_for(settings_with(tmp_path, b, export_root))).key()
            for b in ("torch", "onnx", "onnx-int8")}
    assert len(keys) == 2


def test_an_index_built_with_torch_is_read_with_onnx_alike(
    seeded_home: Path, seeded_runtime: Runtime, export_root: Path
) -> None:
    onnx = Runtime(settings_with(seeded_home, "onnx", export_root))
    assert onnx.store.counts() == seeded_runtime.store.counts()  # no re-embedding, no mismatch
    question = "When did protests reach Almaty?"
    by_torch, by_onnx = ask(seeded_runtime, question), ask(onnx, question)
    assert by_onnx.answer == by_torch.answer == "4 January 2022"
    assert [(c.article_id, c.start, c.end) for c in by_onnx.citations] == [
        (c.article_id, c.start, c.end) for c in by_torch.citations]
    assert by_onnx.retrieved == by_torch.retrieved


def test_an_index_named_by_the_earlier_onnx_backend_still_opens(tmp_path: Path, export_root: Path) -> None:
    earlier = OnnxEmbedder(export_root=export_root)
    earlier.name = "all-MiniLM-L6-v2+onnx"  # what the onnx backend was called before it became the default
    settings = settings_with(tmp_path / "home", "onnx", export_root)
    assert not Runtime(settings, embedder=earlier).ingest([SEEDS]).failed

    now = Runtime(settings)
    assert now.store.counts() == (1, 4)
    assert now.store.spec.embed_model == "all-MiniLM-L6-v2+onnx"  # read, not rebuilt beside it
    with pytest.raises(IndexMismatchError, match=r"all-MiniLM-L6-v2\+onnx-int8"):
        _ = Runtime(settings_with(tmp_path / "home", "onnx-int8", export_root)).store


def test_ingest_and_ask_with_onnx_int8(
    export_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("NEWSDESK_EMBED_EXPORT_DIR", str(export_root))  # reuse the session's export
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


def test_unknown_backend_and_device_are_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    with pytest.raises(UserInputError, match="unknown --embed-backend 'tflite'"):
        runner.invoke(app, ["ingest", str(SEEDS), "--embed-backend", "tflite", "--data-dir", str(tmp_path)],
                      catch_exceptions=False)
    with pytest.raises(UserInputError, match="run on cpu or cuda"):
        OnnxEmbedder(device="tpu")  # cuda without a GPU falls back: tests/test_ingest_workers.py


def test_a_bad_backend_setting_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_EMBED_BACKEND", "tflite")
    with pytest.raises(UserInputError, match="invalid setting NEWSDESK_EMBED_BACKEND='tflite'"):
        load_settings()
