"""No question or answer of a benchmark kit (three words or more) in the product's code: rules
must be general, examples invented. The gazetteer's world-wide facts (country names) are exempt."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import REPO

KITS = REPO.parent / "shared" / "evals"
ROOMS = ("language", "bot", "index", "ingest", "evals")


def kit_strings() -> set[str]:
    found: set[str] = set()
    for questions in sorted(KITS.glob("*/questions.jsonl")):
        for line in questions.open(encoding="utf-8"):
            record = json.loads(line)
            for text in (record.get("question", ""), record.get("answer", "")):
                text = " ".join(str(text).lower().split())
                if len(text.split()) >= 3:
                    found.add(text)
    return found


@pytest.mark.skipif(not KITS.is_dir(), reason="the benchmark kits are not beside this checkout")
def test_no_kit_question_or_answer_in_product_code() -> None:
    strings = kit_strings()
    assert strings, "no kit questions found"
    leaks = []
    for room in ROOMS:
        for path in sorted((REPO / room).rglob("*.py")):
            if path.name == "gazetteer.py":
                continue
            text = " ".join(path.read_text(encoding="utf-8").lower().split())
            leaks += [f"{path.relative_to(REPO)}: {s!r}" for s in strings
                      if s in text and re.search(r"(?<!\w)" + re.escape(s) + r"(?!\w)", text)]
    assert leaks == []
