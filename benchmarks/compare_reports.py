"""Compare two `newsdesk eval --json` reports question by question.

    python benchmarks/compare_reports.py BEFORE.json AFTER.json

Prints, for each per-question field that decides what a user sees (answer, abstained, sentence,
citations, retrieved articles), how many questions differ and the first few, then both reports'
headline metrics. A citation's `path` is left out: it names the checkout a seed file was read from.
Exit status 1 when any compared field differs, so it can gate a refactoring ("behaviour unchanged").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

FIELDS = ("answer", "abstained", "sentence", "citations", "retrieved")


def load(path: Path) -> dict[str, dict[str, Any]]:
    report = json.loads(path.read_text(encoding="utf-8"))
    questions = {q["id"]: q for q in report["questions"]}
    for question in questions.values():
        for citation in question.get("citations") or []:
            citation.pop("path", None)
    return {"metrics": report["metrics"], "questions": questions}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--show", type=int, default=3, help="differing questions to print per field")
    args = parser.parse_args()
    before, after = load(args.before), load(args.after)
    a, b = before["questions"], after["questions"]
    shared = [i for i in a if i in b]
    print(f"questions: {len(a)} before, {len(b)} after, {len(shared)} in both")
    differs = False
    for field in FIELDS:
        ids = [i for i in shared if a[i].get(field) != b[i].get(field)]
        differs = differs or bool(ids)
        print(f"{field}: {len(ids)} differ")
        for i in ids[: args.show]:
            print(f"    {i}: {json.dumps(a[i].get(field))[:160]}\n    {' ' * len(i)}  {json.dumps(b[i].get(field))[:160]}")
        if field == "citations" and ids:
            parts: Counter[str] = Counter()
            for i in ids:
                ca, cb = a[i]["citations"], b[i]["citations"]
                if len(ca) != len(cb):
                    parts["(number of citations)"] += 1
                    continue
                for x, y in zip(ca, cb):
                    parts.update(k for k in set(x) | set(y) if x.get(k) != y.get(k))
            print("    citation fields that differ:", dict(parts))
    for name, report in (("before", before), ("after", after)):
        metrics = {k: v for k, v in report["metrics"].items() if v is not None and "latency" not in k}
        print(f"metrics {name}: {metrics}")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
