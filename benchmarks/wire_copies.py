"""Wire-copy detection: precision and recall on a planted set, and what it flags in a real corpus.

    nice -n 10 python benchmarks/wire_copies.py [--originals 200] [--seed 15] [--sample 12] [--corpus PATH]

The planted set is built from the RealTimeQA dev corpus (training data):

  originals   articles of at least 150 words, drawn at random
  copies      1-4 per original, each with 2-4 of these edits: a new headline, a changed byline
              or dateline, the last paragraphs trimmed (10-40% of the text), a middle paragraph
              dropped, one or two sentences inserted, two paragraphs swapped, words changed
              ("said" -> "says", numbers spelled out); and a "heavy" trim keeping 35-55%
  same topic  for each original, up to two other articles that the same RealTimeQA question
              retrieved: the same event or subject in other reporting (another outlet, another day)

Every article goes through `CopyFinder` (ingest/copies.py) in a random order, as an ingest would
see it, against an empty in-memory store. A pair of articles is a true copy pair when both come
from the same original. Reported: pair precision and recall of the stories found, recall per
kind of copy, the containment estimate against a threshold sweep, and the fingerprinting cost.

Then the whole dev corpus goes through it, oldest first: every article it calls a copy is
listed with the exact share of its 5-grams found in the article it was matched with, and a
random sample is printed for reading (false positives, or real duplicates in the corpus).
Last, the store side: looking up 256 new articles' band keys among 20,000 stored fingerprints
in an embedded Chroma (`--lookup`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from pathlib import Path

from common import DEV_CORPUS, DEV_QUESTIONS, header, summary

from index import fingerprint as fp_module
from index.fingerprint import CONTAINMENT, containment, shingles
from index.memory_store import MemoryStore
from index.models import Article, Fingerprint
from ingest.copies import CopyFinder, fingerprint

NAMES = ["Maria Lopez", "James Chen", "Aisha Khan", "Tom Becker", "Sofia Rossi", "David Okafor"]
AGENCIES = ["The Associated Press", "Reuters", "Agence France-Presse", "Staff and wire reports"]
DATELINES = ["WASHINGTON (AP) —", "NEW YORK (Reuters) -", "LONDON (AFP) —", "LOS ANGELES —"]
INSERTS = [
    "Local officials said they were monitoring the situation closely.",
    "This story has been updated with additional reporting.",
    "The newspaper has reached out for further comment.",
    "Readers can find more coverage of the story on our website.",
    "A spokesperson declined to comment further on Tuesday evening.",
]
NUMBERS = {"2": "two", "3": "three", "4": "four", "5": "five", "10": "ten"}


@dataclass
class Planted:
    article: Article
    group: str  # the original's id: true copies share it; same-topic articles have their own
    kind: str  # original | copy | heavy | topic
    edits: tuple[str, ...] = ()


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def edit(text: str, rng: random.Random, heavy: bool) -> tuple[str, tuple[str, ...]]:
    paras = paragraphs(text)
    chosen = rng.sample(["byline", "trim", "drop", "insert", "swap", "words"], rng.randint(2, 4))
    if heavy:
        chosen = ["heavy-trim", *[c for c in chosen if c not in ("trim", "drop")]]
    done: list[str] = []
    for kind in chosen:
        if kind == "byline":
            if paras and len(paras[0].split()) <= 12:
                paras[0] = f"By {rng.choice(NAMES)}, {rng.choice(AGENCIES)}"
            else:
                paras.insert(0, f"{rng.choice(DATELINES)} By {rng.choice(NAMES)}")
        elif kind in ("trim", "heavy-trim") and len(paras) > 3:
            share = rng.uniform(0.35, 0.55) if kind == "heavy-trim" else rng.uniform(0.6, 0.9)
            total = sum(len(p) for p in paras)
            kept, length = [], 0
            for p in paras:
                if length > share * total:
                    break
                kept.append(p)
                length += len(p)
            paras = kept
        elif kind == "drop" and len(paras) > 4:
            paras.pop(rng.randrange(1, len(paras) - 1))
        elif kind == "insert":
            for _ in range(rng.randint(1, 2)):
                paras.insert(rng.randrange(0, len(paras) + 1), rng.choice(INSERTS))
        elif kind == "swap" and len(paras) > 3:
            i = rng.randrange(0, len(paras) - 1)
            paras[i], paras[i + 1] = paras[i + 1], paras[i]
        elif kind == "words":
            paras = [re.sub(r"\bsaid\b", "says", p) for p in paras]
            paras = [re.sub(r"\b(2|3|4|5|10)\b", lambda m: NUMBERS[m.group(1)], p) for p in paras]
        else:
            continue
        done.append(kind)
    return "\n\n".join(paras), tuple(done)


def load(corpus: Path) -> tuple[dict[str, Article], dict[str, set[str]]]:
    articles: dict[str, Article] = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            r = json.loads(line)
            articles[r["id"]] = Article(id=r["id"], title=r.get("title") or "", text=r["text"],
                                        published=date.fromisoformat(r["published"]) if r.get("published") else None,
                                        url=r.get("url"), source=r.get("source"))
    topics: dict[str, set[str]] = {}
    for line in (corpus.parent / DEV_QUESTIONS.name).read_text(encoding="utf-8").splitlines():
        ids = json.loads(line).get("retrieved_ids") or []
        for i in ids:
            topics.setdefault(i, set()).update(x for x in ids if x != i)
    return articles, topics


def planted_set(articles: dict[str, Article], topics: dict[str, set[str]], n: int,
                rng: random.Random) -> list[Planted]:
    pool = sorted(i for i, a in articles.items() if len(a.text.split()) >= 150 and topics.get(i))
    originals = rng.sample(pool, n)
    used = set(originals)
    out: list[Planted] = []
    for number, oid in enumerate(originals):
        original = articles[oid]
        out.append(Planted(original, oid, "original"))
        for c in range(rng.randint(1, 4)):
            heavy = rng.random() < 0.15
            text, edits = edit(original.text, rng, heavy)
            copy = Article(id=f"copy-{number}-{c}", title=f"{original.title} | Outlet {c}", text=text,
                           published=original.published, source=f"outlet{c}.example")
            out.append(Planted(copy, oid, "heavy" if heavy else "copy", edits))
        others = sorted(topics[oid] - used)
        for tid in rng.sample(others, min(2, len(others))):
            used.add(tid)
            out.append(Planted(articles[tid], tid, "topic"))
    rng.shuffle(out)
    return out


def evaluate(planted: list[Planted], threshold: float) -> None:
    finder = CopyFinder(MemoryStore(), threshold)
    started = time.perf_counter()
    marked = finder.mark([p.article for p in planted])
    seconds = time.perf_counter() - started
    story = {a.id: a.story for a in marked}
    tp = fn = 0
    false: list[tuple[Planted, Planted]] = []
    for a, b in combinations(planted, 2):
        same_group = a.group == b.group
        same_story = story[a.article.id] == story[b.article.id]
        tp += same_group and same_story
        fn += same_group and not same_story
        if same_story and not same_group:
            false.append((a, b))
    fp = len(false)
    # A false pair whose texts are near-identical in the corpus itself (a page crawled twice, a
    # site's boilerplate stored as the text) is a duplicate the planting did not know of.
    real = [(a, b) for a, b in false if _exact(_origin(a, planted), _origin(b, planted)) >= 0.8]
    kinds = Counter(p.kind for p in planted)
    print(f"\nplanted set: {len(planted)} articles ({dict(kinds)}); threshold {threshold}, {fp_module.BANDS} bands of {fp_module.BAND_ROWS}")
    print(f"  fingerprint + story for all: {seconds:.2f} s ({seconds / len(planted) * 1000:.1f} ms/article)")
    print(f"  pairs: {tp} found copy pairs, {fp} false, {fn} missed")
    print(f"  pair precision {tp / max(1, tp + fp):.3f}, pair recall {tp / max(1, tp + fn):.3f}")
    print(f"  of the {fp} false pairs, {len(real)} join articles whose corpus texts share >= 80% of their "
          f"5-grams (duplicates already in the corpus); counting those as right: precision "
          f"{(tp + len(real)) / max(1, tp + fp):.3f}")
    for a, b in [pair for pair in false if pair not in real][:8]:
        x = _exact(_origin(a, planted), _origin(b, planted))
        print(f"    false: {a.kind} {a.article.id} \"{a.article.title[:40]}\" ~ {b.kind} {b.article.id} "
              f"\"{b.article.title[:40]}\" (corpus texts share {x:.2f})")
    originals = {p.group: p.article.id for p in planted if p.kind == "original"}
    for kind in ("copy", "heavy"):
        copies = [p for p in planted if p.kind == kind]
        found = [p for p in copies if story[p.article.id] == story[originals[p.group]]]
        print(f"  {kind}: {len(found)}/{len(copies)} in their original's story ({len(found) / max(1, len(copies)):.3f})")
    topic = [p for p in planted if p.kind == "topic"]
    wrong = [p for p in topic if story[p.article.id] != p.article.id
             or any(story[q.article.id] == p.article.id for q in planted if q is not p)]
    print(f"  same-topic articles put in another's story (or joined by one): {len(wrong)}/{len(topic)}")
    missed = Counter(e for p in planted if p.kind in ("copy", "heavy")
                     and story[p.article.id] != story[originals[p.group]] for e in p.edits)
    if missed:
        print(f"  edits of the missed copies: {dict(missed)}")
    sweep(planted, originals)


def _origin(p: Planted, planted: list[Planted]) -> str:
    """The corpus text a planted article stands for (a copy: its original's)."""
    if p.kind in ("copy", "heavy"):
        return next(q.article.text for q in planted if q.kind == "original" and q.group == p.group)
    return p.article.text


def _exact(a: str, b: str) -> float:
    small, large = sorted((shingles(a), shingles(b)), key=len)
    return len(small & large) / max(1, len(small))


def sweep(planted: list[Planted], originals: dict[str, str]) -> None:
    """Containment estimates of original-copy pairs and original-same-topic pairs."""
    prints = {p.article.id: fingerprint(p.article) for p in planted}
    by_id = {p.article.id: p for p in planted}
    pos: list[float] = []
    neg: list[float] = []
    for p in planted:
        if p.kind in ("copy", "heavy"):
            pos.append(_estimate(prints[p.article.id], prints[originals[p.group]]))
    topics = [p for p in planted if p.kind == "topic"]
    for oid in originals.values():
        group = by_id[oid].group
        for t in topics:
            if t.article.id != group:
                neg.append(_estimate(prints[oid], prints[t.article.id]))
    print(f"\n  containment estimate: {len(pos)} original-copy pairs, {len(neg)} original-other pairs")
    print("  threshold  copy pairs >= t (recall)  other pairs >= t (false)")
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        print(f"  {t:9.1f}  {sum(x >= t for x in pos) / max(1, len(pos)):24.3f}  {sum(x >= t for x in neg):6d}")


def _estimate(a: Fingerprint, b: Fingerprint) -> float:
    return containment(a.signature, a.shingles, b.signature, b.shingles)


def real_corpus(articles: dict[str, Article], rng: random.Random, sample: int, threshold: float) -> None:
    ordered = sorted(articles.values(), key=lambda a: (a.published or date.min, a.id))
    finder = CopyFinder(MemoryStore(), threshold)
    started = time.perf_counter()
    marked = finder.mark(ordered)
    seconds = time.perf_counter() - started
    flagged = [a for a in marked if a.story and a.story != a.id]
    stories = Counter(a.story for a in flagged)
    print(f"\nreal corpus: {len(marked)} articles in {seconds:.1f} s ({seconds / len(marked) * 1000:.1f} ms/article); "
          f"{sum(not (a.fingerprint and a.fingerprint.bands) for a in marked)} too short to fingerprint")
    print(f"  called copies: {len(flagged)} articles in {len(stories)} stories "
          f"(largest: {stories.most_common(3)})")
    exact: list[tuple[float, Article, Article]] = []
    for a in flagged:
        root = articles[a.story or ""]
        small, large = sorted((shingles(a.text), shingles(root.text)), key=len)
        exact.append((len(small & large) / max(1, len(small)), a, root))
    bins = Counter(f"{min(0.9, int(x * 10) / 10):.1f}+" for x, _, _ in exact)
    print(f"  exact containment of each copy in its story's first article: {dict(sorted(bins.items()))}")
    print(f"  same URL path apart from the site: {sum(_same_path(a, r) for _, a, r in exact)}")
    for x, a, r in rng.sample(exact, min(sample, len(exact))):
        print(f"  - {x:.2f}  {a.id} {a.source} {a.published}  \"{a.title[:60]}\" ({len(a.text.split())} words)")
        print(f"          {r.id} {r.source} {r.published}  \"{r.title[:60]}\" ({len(r.text.split())} words)")


def lookup_cost(stored: int, batch: int, runs: int) -> None:
    """The store side: `fingerprints_sharing` for `batch` new articles against `stored` fingerprints
    (random signatures) in the runtime's store (embedded, on disk)."""
    import tempfile

    import numpy as np

    from bot.runtime import Runtime
    from bot.settings import load_settings
    from index.encoders.embedder import HashingEmbedder
    from index.fingerprint import band_keys

    rng = np.random.default_rng(0)

    def made(n: int, prefix: str) -> list[Fingerprint]:
        values = rng.integers(0, 2**32, (n, fp_module.PERMUTATIONS), dtype=np.uint32)
        return [Fingerprint(f"{prefix}{i}", f"{prefix}{i}", v.astype("<u4").tobytes(), 500, band_keys(v))
                for i, v in enumerate(values)]

    with tempfile.TemporaryDirectory() as folder:
        runtime = Runtime(load_settings(home=Path(folder)), embedder=HashingEmbedder(), namespace="bench")
        store = runtime.store
        kept = made(stored, "s")
        started = time.perf_counter()
        store.record_fingerprints(kept)  # each its own story: only the fingerprints are put
        put = time.perf_counter() - started
        times = []
        for run in range(runs):
            new = made(batch, f"n{run}-")
            new[0] = kept[run]  # one look-alike to find
            started = time.perf_counter()
            found = store.fingerprints_sharing([f.bands for f in new])
            times.append(time.perf_counter() - started)
            assert kept[run].article_id in {f.article_id for f in found}
        runtime.close()
    print(f"\nstore lookup: {stored:,} fingerprints stored in {put:.1f} s; {batch} new articles' "
          f"{fp_module.BANDS} band keys looked up: {summary(times)}")


def _same_path(a: Article, b: Article) -> bool:
    def tail(url: str | None) -> str:
        return re.sub(r"^https?://[^/]+", "", url or "").rstrip("/")
    return bool(a.url and b.url) and tail(a.url) == tail(b.url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--sample", type=int, default=12)
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--lookup", type=int, default=20000, help="fingerprints stored for the lookup timing (0: skip)")
    parser.add_argument("--threshold", type=float, default=CONTAINMENT, help="containment for a copy")
    parser.add_argument("--band-rows", type=int, default=fp_module.BAND_ROWS, help="rows per LSH band")
    parser.add_argument("--corpus", type=Path, default=DEV_CORPUS,
                        help="the dev kit's corpus.jsonl.gz (its questions.jsonl beside it)")
    args = parser.parse_args()
    header("wire copies: planted-set precision/recall, real-corpus flags")
    fp_module.BAND_ROWS = args.band_rows  # what `band_keys` reads, for trying other settings
    fp_module.BANDS = fp_module.PERMUTATIONS // args.band_rows
    articles, topics = load(args.corpus)
    rng = random.Random(args.seed)
    evaluate(planted_set(articles, topics, args.originals, rng), args.threshold)
    if not args.skip_corpus:
        real_corpus(articles, rng, args.sample, args.threshold)
    if args.lookup:
        lookup_cost(args.lookup, 256, 3)


if __name__ == "__main__":
    main()
