"""Is the stored mark-up the same? Dump every stored chunk of an ingest, and compare two dumps.

    python benchmarks/markup_identity.py dump SOURCE... --out A.json [--workers N] [--embed-backend B]
    python benchmarks/markup_identity.py dump --articles 80 --out A.json        # the dev corpus's first 80
    python benchmarks/markup_identity.py compare A.json B.json                  # exit 1 when any differs

`dump` ingests into a fresh temporary data directory with the code on PYTHONPATH (run it once
with an older checkout's, once with this one's) and writes, for every stored chunk in id order,
its article offsets, text, sentences, entities and noun phrases, and its vector rounded to 1e-5.
`compare` says how many chunks differ, field by field, and shows the first few; it fails on any
difference but in the vectors, which it measures (1 - cosine).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from common import corpus_subset, header

FIELDS = ("start", "end", "text", "sentences", "entities", "phrases", "vector")


def dump(sources: list[str], out: Path, workers: int | None, backend: str, articles: int) -> None:
    from bot.runtime import Runtime
    from bot.settings import load_settings
    from ingest.files import as_sources

    with tempfile.TemporaryDirectory() as tmp:
        if articles:
            sources = [str(corpus_subset(articles, Path(tmp) / "subset.jsonl.gz"))]
        settings = load_settings(home=Path(tmp) / "home")
        settings.embedding = settings.embedding.model_copy(update={"backend": backend})
        if workers is not None:
            settings.ingest.workers = workers
        runtime = Runtime(settings)
        report = runtime.ingest(as_sources(sources))
        print(f"stored {report.added} articles, {report.chunks_added} chunks in {report.seconds} s", file=sys.stderr)
        chunks = {
            p.chunk_id: {"start": p.start, "end": p.end, "text": p.text, "sentences": p.sentences,
                         "entities": p.entities, "phrases": p.phrases}
            for p in runtime.store.all_chunks()
        }
        ids = sorted({p.article_id for p in runtime.store.all_chunks()})
        vectors = {}
        for article_id in ids:  # each chunk's vector, by its article and embedding text
            for _title, text, vector in runtime.store.stored_chunks([article_id]):
                vectors[(article_id, text)] = [round(float(x), 5) for x in vector]
        for p in runtime.store.all_chunks():
            chunks[p.chunk_id]["vector"] = vectors.get((p.article_id, p.text))
        runtime.close()
    out.write_text(json.dumps(dict(sorted(chunks.items())), ensure_ascii=False))


def compare(a: Path, b: Path) -> int:
    left, right = json.loads(a.read_text()), json.loads(b.read_text())
    only = sorted(set(left) ^ set(right))
    differ = {name: [i for i in left if i in right and left[i].get(name) != right[i].get(name)] for name in FIELDS}
    print(f"{len(left)} vs {len(right)} chunks; in one only: {len(only)}")
    for name in FIELDS:
        print(f"  {name:9} differs in {len(differ[name])} chunks")
        for chunk_id in differ[name][:3]:
            print(f"    {chunk_id}: {str(left[chunk_id][name])[:200]}\n{'':{len(chunk_id) + 6}}{str(right[chunk_id][name])[:200]}")
    both = [i for i in left if i in right and left[i]["vector"] and right[i]["vector"]]
    gaps = sorted(1 - sum(a * b for a, b in zip(left[i]["vector"], right[i]["vector"])) for i in both)
    if gaps:
        print(f"  vectors, 1 - cosine: max {gaps[-1]:.5f}, mean {sum(gaps) / len(gaps):.5f} "
              "(onnx-int8 quantizes each batch as a whole: its vectors move with the batch a chunk is in)")
    return 1 if only or any(differ[name] for name in FIELDS if name != "vector") else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("sources", nargs="*")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--workers", type=int, default=None)
    d.add_argument("--articles", type=int, default=0, help="the dev corpus's first N articles instead of SOURCE")
    d.add_argument("--embed-backend", default="onnx-int8")
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        header(f"stored mark-up of {args.sources or f'{args.articles} dev articles'}, workers {args.workers}")
        dump(args.sources, args.out, args.workers, args.embed_backend, args.articles)
    else:
        sys.exit(compare(args.a, args.b))


if __name__ == "__main__":
    main()
