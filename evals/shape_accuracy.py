"""How well `language.shapes.asked_shape` reads the shape of answer a question asks for, on the
labelled set `evals/data/shapes.jsonl` (how it was made: evals/data/README.md).

    python -m evals.shape_accuracy              # the held-out part: accuracy, per shape, confusion
    python -m evals.shape_accuracy --part develop --errors   # the part the rules were written on

The set is split once and for all by a stable hash of each question's text (`part`): 70% to
develop the rules on, 30% held out. Beside the set, when the RealTimeQA kits sit beside this
checkout, it counts how many of each kit's questions (quiz items: all factoids) are read as a
factoid.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from language.shapes import Shape, asked_shape

DATA = Path(__file__).parent / "data" / "shapes.jsonl"
_REPO = Path(__file__).resolve().parent.parent
# ../shared beside the repository (or beside the folder of worktrees the repository is one of)
KITS = next((d for d in (_REPO.parent / "shared" / "evals", _REPO.parent.parent / "shared" / "evals") if d.is_dir()),
            _REPO.parent / "shared" / "evals")
PARTS = ("develop", "held-out", "all")
HELD_OUT_PERCENT = 30


@dataclass(frozen=True)
class Labelled:
    question: str
    shape: Shape
    source: str  # "written" or "dev-kit"

    @property
    def part(self) -> str:
        """ "develop" or "held-out", from the question's text alone, the same on every machine."""
        bucket = int(hashlib.sha1(self.question.encode("utf-8")).hexdigest()[:8], 16) % 100
        return "held-out" if bucket < HELD_OUT_PERCENT else "develop"


def load(path: Path = DATA) -> list[Labelled]:
    records = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [Labelled(r["question"], Shape(r["shape"]), r["source"]) for r in records]


def in_part(items: Sequence[Labelled], part: str) -> list[Labelled]:
    return [item for item in items if part == "all" or item.part == part]


def report(items: Sequence[Labelled]) -> list[str]:
    """Accuracy overall and per shape (recall, precision, count), and the confusion table."""
    pairs = [(item.shape, asked_shape(item.question)) for item in items]
    right = sum(gold == read for gold, read in pairs)
    lines = [f"accuracy {_share(right, len(pairs))} ({right} of {len(pairs)})", "",
             f"{'shape':<10}{'n':>5}{'recall':>9}{'precision':>11}"]
    for shape in Shape:
        gold_n = sum(gold is shape for gold, _ in pairs)
        read_n = sum(read is shape for _, read in pairs)
        hits = sum(gold is shape and read is shape for gold, read in pairs)
        lines.append(f"{shape.value:<10}{gold_n:>5}{_share(hits, gold_n):>9}{_share(hits, read_n):>11}")
    confusion = Counter(pairs)
    lines += ["", "confusion (rows: labelled, columns: read)",
              f"{'':<10}" + "".join(f"{shape.value[:8]:>9}" for shape in Shape)]
    for gold in Shape:
        lines.append(f"{gold.value:<10}" + "".join(f"{confusion[gold, read]:>9}" for read in Shape))
    return lines


def errors(items: Sequence[Labelled]) -> list[str]:
    return [f"{item.shape.value:>8} read as {asked_shape(item.question).value:<8} {item.question}"
            for item in items if asked_shape(item.question) is not item.shape]


def kit_lines(kits: Path = KITS) -> list[str]:
    """How many of each kit's quiz questions are read as a factoid (counts only)."""
    lines = []
    for path in sorted(kits.glob("realtimeqa-*/questions.jsonl")):
        questions = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines()]
        factoids = sum(asked_shape(q) is Shape.FACTOID for q in questions)
        lines.append(f"{path.parent.name}: {factoids} of {len(questions)} questions read as factoid "
                     f"({_share(factoids, len(questions))})")
    return lines


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.shape_accuracy", description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=PARTS, default="held-out", help="which part of the set to score")
    parser.add_argument("--errors", action="store_true", help="also list the questions read wrongly")
    args = parser.parse_args(argv)
    items = load()
    chosen = in_part(items, args.part)
    sizes = Counter(item.shape for item in items)
    print(f"{DATA.name}: {len(items)} questions (" + ", ".join(f"{s.value} {sizes[s]}" for s in Shape) + ")")
    print(f"part: {args.part}, {len(chosen)} questions\n")
    print("\n".join(report(chosen)))
    if args.errors:
        print("\n" + "\n".join(errors(chosen) or ["no errors"]))
    if kit_lines():
        print("\n" + "\n".join(kit_lines()))


if __name__ == "__main__":
    main()
