"""How close the encoders' vectors are, on real text of the dev kit (1 - cosine per text).

Index vectors: the onnx backend (the default) against torch, on dev-corpus passages and dev
questions; within float rounding, they share an index.

Reader vectors: what the extractive answerer compares sentences with, against the reader of
earlier versions (torch's `quantize_dynamic`, per-channel, quantized in the process), on groups
like the answerer's (a dev question, then sentences of dev articles, encoded in one call):
  onnx int8 reader   the default now (`index.encoders.torch_int8`, exported once)
  onnx fp32          NEWSDESK_ANSWER_READER=exact with the onnx backend
  onnx-int8          ONNX Runtime's own quantization (the onnx-int8 backend reads with it)
and, for scale, torch's reader against itself: with its AVX2 kernels instead of AVX-512
(ATEN_CPU_CAPABILITY=avx2, MKL_ENABLE_INSTRUCTIONS=AVX2: what another x86 CPU runs), and with
batches of 32 instead of 16.

    python benchmarks/encoder_agreement.py [--passages 1200] [--questions 300] [--groups 10]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt
from common import DEV_CORPUS, DEV_QUESTIONS, REPO, header

from index.encoders.embedder import Embedder, SentenceTransformerEmbedder
from index.encoders.onnx_embedder import Int8SentenceEncoder, OnnxEmbedder

Vectors = npt.NDArray[np.float32]
GROUP = 40  # texts per answerer-like call: a question and the sentences it is compared with


def articles(limit: int) -> list[str]:
    texts = []
    with gzip.open(DEV_CORPUS, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts.append(str(record.get("text") or record.get("body") or ""))
            if len(texts) >= limit:
                break
    return texts


def questions(limit: int) -> list[str]:
    with DEV_QUESTIONS.open(encoding="utf-8") as handle:
        return [json.loads(line)["question"] for line in handle if line.strip()][:limit]


def reader_groups(count: int) -> list[list[str]]:
    """Each group: a dev question, then 39 sentences of dev articles."""
    sentences = [s for text in articles(400) for s in re.split(r"(?<=[.!?])\s+", text) if 20 < len(s) < 600]
    picked = np.random.default_rng(0).choice(len(sentences), count * (GROUP - 1), replace=False)
    asked = questions(count)
    return [[asked[g], *(sentences[i] for i in picked[g * (GROUP - 1):(g + 1) * (GROUP - 1)])] for g in range(count)]


class TorchInt8Reader(SentenceTransformerEmbedder):
    """The reader of earlier versions: torch's dynamic int8 copy of the model, made in the process."""

    def __init__(self, batch_size: int = 16) -> None:
        super().__init__(batch_size=batch_size)

    def embed(self, texts: list[str]) -> Vectors:  # type: ignore[override]
        if "quantized" not in self.__dict__:
            import torch
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.__dict__["quantized"] = quantize_dynamic(
                    self.model, {torch.nn.Linear: per_channel_dynamic_qconfig}, inplace=False)
        vectors = self.__dict__["quantized"].encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def encode(embedder: Embedder | TorchInt8Reader, groups: list[list[str]]) -> Vectors:
    return np.concatenate([embedder.embed(group) for group in groups])


def distance(a: Vectors, b: Vectors) -> str:
    one = 1 - np.sum(a * b, axis=1)
    return (f"1-cos max {one.max():.2g}, mean {one.mean():.2g}; "
            f"texts within 1e-6: {np.mean(one < 1e-6):.1%}, within 1e-4: {np.mean(one < 1e-4):.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=1200)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--torch-reader-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    groups = reader_groups(args.groups)
    if args.torch_reader_out:  # a child with other CPU kernels
        np.save(args.torch_reader_out, encode(TorchInt8Reader(), groups))
        return

    header("encoder agreement")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "encoders"
        torch_fp32, onnx_fp32 = SentenceTransformerEmbedder(), OnnxEmbedder(export_root=cache)
        words = [text.split() for text in articles(args.passages // 4 + 1)]
        passages = [" ".join(w[i:i + 120]) for w in words for i in range(0, min(len(w), 480), 120)][: args.passages]
        print("index vectors, onnx against torch:")
        for label, texts in (("passages (<=120 words)", passages), ("questions", questions(args.questions))):
            print(f"  {label:24} n={len(texts):5}  {distance(onnx_fp32.embed(texts), torch_fp32.embed(texts))}")

        earlier = encode(TorchInt8Reader(), groups)
        print(f"\nreader vectors against the torch int8 reader of earlier versions "
              f"({args.groups} groups of {GROUP}, {args.groups * GROUP} texts):")
        rows = [
            ("onnx int8 reader (default)", Int8SentenceEncoder("all-MiniLM-L6-v2", None, cache)),
            ("onnx fp32 (exact)", onnx_fp32),
            ("onnx-int8", OnnxEmbedder(export_root=cache, int8=True)),
            ("torch int8, batches of 32", TorchInt8Reader(batch_size=32)),
        ]
        for label, reader in rows:
            print(f"  {label:32} {distance(encode(reader, groups), earlier)}")
        out = Path(tmp) / "avx2.npy"
        env = {**os.environ, "PYTHONPATH": str(REPO), "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}
        subprocess.run([sys.executable, __file__, "--groups", str(args.groups), "--torch-reader-out", str(out)],
                       env=env, check=True, cwd=REPO, capture_output=True)
        print(f"  {'torch int8, AVX2 kernels':32} {distance(np.load(out), earlier)}")


if __name__ == "__main__":
    main()
