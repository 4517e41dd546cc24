"""Encoder backends compared in one process: speed, agreement with torch, and retrieval quality.

    nice -n 10 python benchmarks/onnx_backends.py [--questions 30] [--chunks-per-article 4] [--rounds 2] [--threads N]

The subset: the first --questions dev-kit questions whose evidence article is in the corpus, and
every article that is evidence or a stored search result for them; each article contributes its
first --chunks-per-article chunks (newsdesk's own chunker). Each backend encodes all chunks in
turn, --rounds times (alternating, so contention hits all of them alike); the exports into a
temporary data directory happen before timing. --threads N gives every backend N threads
(torch.set_num_threads, ONNX Runtime's intra-op pool); by default each keeps its own default
(one per core); under load from other processes torch's default threads lose far more than
ONNX Runtime's, so --threads 1 is the fairer comparison on a shared machine.

Reported per backend: passages/s and tokens/s (median of rounds) and the ratio to torch in the
same round; mean and minimum cosine to the torch vectors; the share of each chunk's 10 nearest
chunks that torch also finds (top-10 overlap, 200 chunks as queries); and for the questions,
hit@10 (an evidence article's chunk among the 10 nearest chunks) and MRR of the first such
chunk, by brute-force cosine over the subset without dates.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import DEV_CORPUS, DEV_QUESTIONS, header

BACKENDS = ("torch", "onnx", "onnx-int8")


def warmed_embedders(home: Path, threads: int) -> dict[str, Any]:
    """One encoder per backend, each run once (the onnx backends export their model then)."""
    from bot.settings import load_settings
    from index.encoders.factory import create_embedder
    from index.encoders.onnx_embedder import OnnxEmbedder

    embedders = {}
    for backend in BACKENDS:
        settings = load_settings(home=home)
        settings.embedding = settings.embedding.model_copy(update={"backend": backend})
        embedder = create_embedder(settings.embedding)
        if threads and isinstance(embedder, OnnxEmbedder):
            embedder.threads = threads
        embedders[backend] = embedder
        embedders[backend].embed(["warm up (and export, for the onnx backends)"])
    return embedders


def timed_rounds(embedders: dict[str, Any], texts: list[str], rounds: int) -> tuple[
        dict[str, list[float]], dict[str, list[float]], dict[str, np.ndarray]]:  # type: ignore[type-arg]
    """Passages a second of each backend per round, its ratio to torch's, and the last vectors."""
    speed: dict[str, list[float]] = {b: [] for b in BACKENDS}
    ratio: dict[str, list[float]] = {b: [] for b in BACKENDS}
    vectors: dict[str, np.ndarray] = {}  # type: ignore[type-arg]
    for _ in range(rounds):
        for backend in BACKENDS:
            begun = time.perf_counter()
            vectors[backend] = embedders[backend].embed(texts)
            speed[backend].append(len(texts) / (time.perf_counter() - begun))
        for backend in BACKENDS:
            ratio[backend].append(speed[backend][-1] / speed["torch"][-1])
    return speed, ratio, vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--chunks-per-article", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="threads per backend (0: their defaults)")
    args = parser.parse_args()

    from ingest.chunking import create_chunker, embedding_text
    from ingest.formats import read_file

    header(f"encoder backends, {args.questions} dev questions, {args.chunks_per_article} chunks/article, "
           f"threads {args.threads or 'default'}")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    questions = [q for q in map(json.loads, DEV_QUESTIONS.read_text().splitlines()) if q["evidence_in_corpus"]]
    questions = questions[: args.questions]
    wanted = {i for q in questions for i in q["evidence_ids"] + q["retrieved_ids"]}
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "subset.jsonl.gz"
        with gzip.open(DEV_CORPUS, "rt", encoding="utf-8") as source, gzip.open(subset, "wt") as sink:
            sink.writelines(line for line in source if json.loads(line)["id"] in wanted)
        articles = read_file(subset, subset.parent, 10**9).articles
        embedders = warmed_embedders(Path(tmp) / "home", args.threads)
        torch_embedder = embedders["torch"]
        chunker = create_chunker(160, 0, "cl100k_base", torch_embedder.max_tokens, torch_embedder.count_tokens)
        texts, owners = [], []
        for article in articles:
            for chunk in chunker.chunk(article)[: args.chunks_per_article]:
                texts.append(embedding_text(article.title, chunk.text))
                owners.append(article.id)
        tokens = sum(torch_embedder.count_tokens(texts))
        print(f"{len(articles)} articles, {len(texts)} chunks, {tokens} model tokens, {len(questions)} questions")

        speed, ratio, vectors = timed_rounds(embedders, texts, args.rounds)

        reference = vectors["torch"]
        probe = np.random.default_rng(0).choice(len(texts), size=min(200, len(texts)), replace=False)
        top_ref = np.argsort(-(reference[probe] @ reference.T), axis=1)[:, 1:11]
        asked = [q["question"] for q in questions]
        for backend in BACKENDS:
            vecs = vectors[backend]
            cos = (vecs * reference).sum(axis=1)
            top = np.argsort(-(vecs[probe] @ vecs.T), axis=1)[:, 1:11]
            overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top, top_ref)])
            hits, rr = retrieval(embedders[backend].embed(asked), vecs, owners, questions)
            per_s = statistics.median(speed[backend])
            print(f"{backend:<10} {per_s:6.1f} passages/s {per_s * tokens / len(texts):7.0f} tokens/s  "
                  f"x{statistics.median(ratio[backend]):.2f} torch (rounds: "
                  f"{', '.join(f'{r:.2f}' for r in ratio[backend])})  cosine mean {cos.mean():.4f} "
                  f"min {cos.min():.4f}  top-10 overlap {overlap:.3f}  hit@10 {hits:.3f}  MRR {rr:.3f}")


def retrieval(asked: np.ndarray, chunks: np.ndarray, owners: list[str],
              questions: list[dict[str, object]]) -> tuple[float, float]:
    hits, rr = [], []
    ranked = np.argsort(-(asked @ chunks.T), axis=1)
    for question, order in zip(questions, ranked):
        evidence = set(question["evidence_ids"])  # type: ignore[call-overload]
        ranks = [r for r, i in enumerate(order, start=1) if owners[i] in evidence]
        hits.append(1.0 if ranks and ranks[0] <= 10 else 0.0)
        rr.append(1.0 / ranks[0] if ranks else 0.0)
    return float(np.mean(hits)), float(np.mean(rr))


if __name__ == "__main__":
    main()
