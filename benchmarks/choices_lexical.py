"""A lexical baseline for choices mode: the choice named by most of the BM25 passages found for
the question. What newsdesk's choice evidence has to beat.

    python benchmarks/choices_lexical.py KIT --data-dir D [--passages 20]

D is a data directory where `newsdesk eval KIT` has built the kit's index. Each question is
asked as of its date, as the eval does; a passage counts for a choice when it names it (the
choices mode's own `mention`: the phrase, or most of its words). Ties and questions where no
passage names any choice go to the first choice, so nothing abstains. Prints accuracy only,
never a question, so it may be run on a confirm set.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.extractive import tuning  # noqa: E402
from bot.extractive.choices import mention  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from evals.archive import open_archive  # noqa: E402
from evals.kit import load_kit  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kit", type=Path)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=20)
    args = parser.parse_args()
    kit = load_kit(args.kit)
    runtime, _ = open_archive(load_settings(home=args.data_dir), kit)
    right = named_any = asked = 0
    for question in kit.questions:
        if not question.choices or question.answer_index is None:
            continue
        query = runtime.query(question.question, question.as_of or date.today(), question.choices)
        passages = runtime.retriever.keyword_search(query, args.passages)
        counts = [sum(mention(choice, f"{p.title}\n{p.text}", query.info.terms) >= tuning.PARTIAL_MENTION
                      for p in passages) for choice in question.choices]
        pick = max(range(len(counts)), key=lambda i: (counts[i], -i))
        if query.info.negated:  # "which is NOT...": the least named
            pick = min(range(len(counts)), key=lambda i: (counts[i], i))
        asked += 1
        named_any += any(counts)
        right += pick == question.answer_index
    print(f"{kit.name}: lexical baseline (choice named by most of the {args.passages} BM25 passages): "
          f"{right} of {asked} right ({right / max(1, asked):.1%}); some choice named for {named_any}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
