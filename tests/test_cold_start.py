"""What a fresh `newsdesk` process imports: no torch on the query path, nothing heavy for `--help`.

Each command runs in a real subprocess under `python -X importtime`, which lists every module the
process imported; no timing is asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.runtime import Runtime
from bot.settings import load_settings
from index.encoders.embedder import SentenceTransformerEmbedder
from tests.conftest import REPO, SEEDS, ingest_into

pytestmark = pytest.mark.slow

TORCH = {"torch", "transformers", "sentence_transformers"}
NLP = {"spacy", "thinc"}  # ingest annotates chunks; answering reads the stored annotations
MODELS = TORCH | NLP | {"onnxruntime", "tokenizers"}
STORE = {"chromadb", "numpy"}


def imported(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """Top-level packages a fresh `newsdesk ARGS` imported (it must succeed)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.cli", *args], capture_output=True, text=True,
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return {name.split(".")[0] for name in names}


@pytest.fixture(scope="module")
def exported(seeded_home: Path) -> Path:
    """The default encoder and reader exported into the session's cache, as the first ingest or
    ask on a machine does (that one run imports torch, once)."""
    runtime = Runtime(load_settings(home=seeded_home))
    runtime.warm_up()
    return seeded_home


def test_help_imports_no_model_and_no_store() -> None:
    assert not imported("--help") & (MODELS | STORE)


def test_ask_reads_a_torch_built_index_without_torch(exported: Path) -> None:
    modules = imported("ask", "When did protests reach Almaty?", "--data-dir", str(exported))
    assert "onnxruntime" in modules  # the question was encoded ...
    assert not modules & (TORCH | NLP)  # ... without torch, transformers, sentence-transformers or spaCy


def test_article_and_an_unchanged_ingest_import_no_model(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    home = tmp_path / "home"
    ingest_into(Runtime(load_settings(home=home), embedder=embedder), SEEDS)
    assert not imported("ingest", str(SEEDS), "--data-dir", str(home)) & MODELS
    assert not imported("articles", "--data-dir", str(home)) & MODELS
    listed = subprocess.run([sys.executable, "-m", "bot.cli", "articles", "--json", "--data-dir", str(home)],
                            capture_output=True, text=True, cwd=REPO, check=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    article_id = listed.stdout.split('"id": "', 1)[1].split('"', 1)[0]
    assert not imported("article", article_id, "--data-dir", str(home)) & MODELS


def test_eval_on_an_existing_index_imports_no_torch(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> None:
    from evals.archive import open_archive
    from evals.gold import SEED_CORPUS, SEED_GOLD, load_gold

    home = tmp_path / "home"
    open_archive(load_settings(home=home), load_gold(SEED_GOLD, corpus=[SEED_CORPUS]), embedder=embedder)
    modules = imported("eval", "--limit", "2", "--data-dir", str(home))
    assert "onnxruntime" in modules and not modules & (TORCH | NLP)
