"""The int8 reader: a faster copy of the torch model that the extractive answerer reads with."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.extractive.answerer import ExtractiveAnswerer
from bot.runtime import Runtime
from bot.settings import load_settings
from index.embedder import Int8Reader, SentenceTransformerEmbedder
from index.retrieval import HybridRetriever, RerankedRetriever

pytestmark = pytest.mark.slow

QUESTION = "When did protests reach Almaty?"
SENTENCES = [
    "Two days later, the protests engulfed Almaty, in the country's southeast.",
    "The police used flashbangs to disperse the crowd.",
    "The recipe calls for two cups of flour and a pinch of salt.",
]


def test_reads_close_to_the_exact_model_and_ranks_alike(embedder: SentenceTransformerEmbedder) -> None:
    reader = embedder.int8_reader
    exact, fast = embedder.embed([QUESTION, *SENTENCES]), reader.embed([QUESTION, *SENTENCES])
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    assert float(np.min(np.sum(exact * fast, axis=1))) > 0.9
    assert list(np.argsort(-(exact[1:] @ exact[0]))) == list(np.argsort(-(fast[1:] @ fast[0])))
    assert reader.name == f"{embedder.name}+int8-reader"  # never mistaken for the index's encoder
    assert reader.model is not embedder.model  # a copy: the index's encoder is untouched
    assert embedder.int8_reader is reader  # quantized once per loaded model


def test_the_answerer_reads_with_int8_by_default_and_exact_on_request(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(home=tmp_path)
    runtime = Runtime(settings, embedder=embedder)
    assert isinstance(runtime.reader, Int8Reader)
    answerer = runtime.raw_answerer
    assert isinstance(answerer, ExtractiveAnswerer) and answerer.reader is embedder.int8_reader
    retriever = runtime.retriever
    assert isinstance(retriever, RerankedRetriever) and isinstance(retriever.inner, HybridRetriever)
    assert retriever.inner.embedder is embedder  # retrieval keeps the index's encoder

    monkeypatch.setenv("NEWSDESK_ANSWER_READER", "exact")
    assert Runtime(load_settings(home=tmp_path), embedder=embedder).reader is embedder
