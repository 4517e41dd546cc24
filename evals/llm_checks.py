"""LLM mode's injection checks on real news, where nothing is planted: every refusal is a false one
or a quote that really does not answer.

    python -m evals.llm_checks ../shared/evals/realtimeqa-dev

- the instruction guard over every sentence of the kit's corpus: how many it flags;
- the support check on the questions whose evidence articles hold the gold answer, each answered
  with the gold answer and citing the sentence that holds it (the one sharing most words with the
  question, as a model would pick): how many are refused, and why.

The planted counterpart (injections that must be refused) is tests/test_llm_support.py.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from bot.llm.support import cited_sentence, unsupported
from evals.dataset import Dataset
from evals.kit import corpus_records, load_kit
from index.errors import UserInputError
from language.addressed import addresses_machines
from language.question import analyse
from language.sentences import sentence_spans
from language.terms import content_terms

_MIN_CHARS = 20  # shorter lines are bylines, captions and menu items



def sentences(text: str) -> Iterator[tuple[int, int]]:
    for start, end in sentence_spans(text):
        if end - start >= _MIN_CHARS:
            yield start, end


def guard_on_corpus(stored: dict[str, dict[str, Any]]) -> tuple[int, list[str]]:
    """How many sentences there are, and those the guard flags."""
    total, flagged = 0, []
    for article in stored.values():
        for start, end in sentences(article["text"]):
            total += 1
            if addresses_machines(article["text"][start:end]):
                flagged.append(article["text"][start:end])
    return total, flagged


def support_on_questions(kit: Dataset, stored: dict[str, dict[str, Any]]) -> Counter[str]:
    """Refusal reasons ("accepted" when none) for the gold answer citing its evidence sentence."""
    outcomes: Counter[str] = Counter()
    for question in kit.questions:
        answer = question.answers[0].strip()
        best: tuple[int, dict[str, Any], int, int] | None = None
        for article in (stored[i] for i in question.evidence_ids if i in stored):
            text = article["text"]
            for start, end in sentences(text):
                if answer.lower() in text[start:end].lower():
                    shared = len(content_terms(text[start:end]) & content_terms(question.question))
                    if best is None or shared > best[0]:
                        best = (shared, article, start, end)
        if best is None:
            continue
        _, article, start, end = best
        published = date.fromisoformat(article["published"]) if article.get("published") else None
        cited = cited_sentence(article["text"], start, end, published)
        if addresses_machines(cited.text) or addresses_machines(answer):
            outcomes["instructions"] += 1
            continue
        problem = unsupported(analyse(question.question), answer, [cited], question.as_of)
        outcomes[problem.value if problem else "accepted"] += 1
    return outcomes


def main(directory: Path) -> None:
    try:
        kit = load_kit(directory)
    except UserInputError as exc:
        sys.exit(f"error: {exc}")
    assert kit.corpus is not None  # a kit always has one
    stored = {a["id"]: a for a in corpus_records(kit.corpus[0])}
    total, flagged = guard_on_corpus(stored)
    print(f"guard: flagged {len(flagged)} of {total} sentences")
    for sentence in flagged:
        print(f"  - {sentence[:160]}")
    outcomes = support_on_questions(kit, stored)
    print(f"support: {outcomes['accepted']} of {sum(outcomes.values())} gold answers accepted; "
          + ", ".join(f"{reason} {n}" for reason, n in sorted(outcomes.items()) if reason != "accepted"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/evals/realtimeqa-dev"))
