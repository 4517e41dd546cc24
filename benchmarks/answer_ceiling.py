"""How often the gold answer is written anywhere newsdesk could read it: an upper bound for an
extractive answerer on a kit, by question type.

    python benchmarks/answer_ceiling.py KIT [REPORT.json]

For each question scored in open mode (the kit's questions, less "... except:" ones), the gold
answer (normalised as the scorer does) is looked for, as a whole-word phrase, in:
- any article of the kit's corpus published on or before the question's date (undated ones count);
- the articles the answerer retrieved for it (from a `newsdesk eval --json` REPORT), when given.
With a report it also sorts the wrong answers by where their gold answer is: abstained, in the
sentence shown, in an article retrieved, elsewhere in the archive, nowhere. An extractive answer can only be right where its words are written. Prints counts only, never a
question or an answer, so it may be run on a confirm set.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals.kit import corpus_file, load_kit  # noqa: E402
from language.terms import normalize_answer  # noqa: E402


def _articles(kit: Path) -> dict[str, tuple[date | None, str]]:
    path = corpus_file(kit)
    assert path is not None
    out: dict[str, tuple[date | None, str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            published = date.fromisoformat(record["published"][:10]) if record.get("published") else None
            text = f" {normalize_answer((record.get('title') or '') + ' ' + record['text'])} "
            out[record["id"]] = (published, text)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kit", type=Path)
    parser.add_argument("report", type=Path, nargs="?", help="a `newsdesk eval --json` report of the kit")
    args = parser.parse_args()
    kit = load_kit(args.kit)
    articles = _articles(args.kit)
    retrieved: dict[str, list[str]] = {}
    records: dict[str, dict[str, Any]] = {}
    if args.report:
        report = json.loads(args.report.read_text(encoding="utf-8"))
        records = {q["id"]: q for q in report["questions"]}
        retrieved = {i: list(q.get("retrieved") or []) for i, q in records.items()}
    totals: Counter[str] = Counter()
    in_archive: Counter[str] = Counter()
    in_retrieved: Counter[str] = Counter()
    misses: Counter[tuple[str, str]] = Counter()
    for question in kit.questions:
        if not question.generation_scored or not question.answers:
            continue
        kind = question.type
        golds = [f" {normalize_answer(a)} " for a in question.answers if normalize_answer(a)]
        as_of = question.as_of
        readable = [text for published, text in articles.values() if as_of is None or published is None
                    or published <= as_of]
        totals[kind] += 1
        in_archive[kind] += any(g in text for g in golds for text in readable)
        if question.id in retrieved:
            texts = [articles[i][1] for i in retrieved[question.id] if i in articles]
            found = any(g in text for g in golds for text in texts)
            in_retrieved[kind] += found
            record = records[question.id]
            if not record.get("correct"):
                sentence = f" {normalize_answer(str(record.get('sentence') or ''))} "
                where = ("abstained" if record.get("abstained") else
                         "in the sentence shown" if any(g in sentence for g in golds) else
                         "in an article retrieved" if found else
                         "elsewhere in the archive" if any(g in text for g in golds for text in readable) else
                         "nowhere in those words")
                misses[(kind, where)] += 1
                misses[("all", where)] += 1
    print(f"{kit.name}: gold answer written in the archive as of the question's date"
          + (" / in the articles retrieved (report)" if retrieved else ""))
    for kind in sorted(totals, key=lambda k: -totals[k]) + ["all"]:
        n = totals[kind] if kind != "all" else sum(totals.values())
        a = in_archive[kind] if kind != "all" else sum(in_archive.values())
        r = in_retrieved[kind] if kind != "all" else sum(in_retrieved.values())
        line = f"  {kind:9} n={n:4}  archive {a:4} ({a / max(1, n):.1%})"
        if retrieved:
            line += f"  retrieved {r:4} ({r / max(1, n):.1%})"
        print(line)
    if misses:
        places = ("abstained", "in the sentence shown", "in an article retrieved", "elsewhere in the archive",
                  "nowhere in those words")
        print("wrong answers by where the gold answer is: " + " / ".join(places))
        for kind in sorted(totals, key=lambda k: -totals[k]) + ["all"]:
            print(f"  {kind:9} " + " / ".join(str(misses[(kind, p)]) for p in places))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
