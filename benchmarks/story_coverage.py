"""Which stories a corpus covers on many days: how the descriptive gold set's stories were chosen.

    python benchmarks/story_coverage.py [CORPUS] --from 2022-06-17 --to 2022-12-31 --top 60
    python benchmarks/story_coverage.py [CORPUS] --stories evals/data/descriptive-dev/stories.json
    python benchmarks/story_coverage.py [CORPUS] --stories FILE --list NAME

Without `--stories`: the names in article titles (runs of capitalised words) ranked by the number of
distinct days with an article whose title has them, then by articles: the candidates.
With `--stories` (a JSON list of {"name", "pattern", "from", "to"}: a case-insensitive regular
expression looked for in an article's title and the first `--lead` characters of its text, and the
days the story spans): for each story, its articles, distinct days, first and last day and outlets.
`--list NAME` prints that story's articles (id, day, outlet, title), oldest first, for reading.
CORPUS defaults to the dev kit's corpus (2022 H2 news).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import DEV_CORPUS  # noqa: E402
from evals.kit import corpus_records  # noqa: E402

_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of\s+)?[A-Z][\w'’.-]*)*")
# Title words that name no story: outlets, weekdays and months, newsletter headings.
_NOT_NAMES = frozenset("""a an the in on of and for to with at by from as is are was what why how who when
where new says said after over into up out its it this that be will can more than not top no here live
updates news opinion analysis photos quiz cnn cnnpolitics here's it's monday tuesday wednesday thursday
friday saturday sunday january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec""".split()) | {
    "cnn politics", "cnn business", "the week", "the week uk", "know today", "ten things you need"}



def _in(record: dict[str, Any], start: str, end: str) -> bool:
    day = record.get("published") or ""
    return bool(day) and start <= day[:10] <= end


def candidates(corpus: Path, start: str, end: str, top: int) -> None:
    days: dict[str, set[str]] = defaultdict(set)
    count: Counter[str] = Counter()
    for record in corpus_records(corpus):
        if not _in(record, start, end):
            continue
        for name in {n.strip(" .") for n in _NAME.findall(record.get("title") or "")}:
            if name.lower() not in _NOT_NAMES and len(name) > 2:
                days[name].add(record["published"][:10])
                count[name] += 1
    ranked = sorted(days, key=lambda n: (-len(days[n]), -count[n], n))[:top]
    print(f"{'days':>5} {'articles':>8}  name in titles ({start} to {end})")
    for name in ranked:
        print(f"{len(days[name]):>5} {count[name]:>8}  {name}")


def story_articles(corpus: Path, story: dict[str, Any], lead: int) -> list[dict[str, Any]]:
    pattern = re.compile(story["pattern"], re.IGNORECASE)
    found = [r for r in corpus_records(corpus) if _in(r, story["from"], story["to"])
             and pattern.search(f"{r.get('title') or ''}\n{r['text'][:lead]}")]
    return sorted(found, key=lambda r: (r["published"], r["id"]))


def coverage(corpus: Path, stories: list[dict[str, Any]], lead: int) -> None:
    print(f"{'story':<16} {'articles':>8} {'days':>5}  {'first':<10}  {'last':<10}  outlets")
    for story in stories:
        found = story_articles(corpus, story, lead)
        days = sorted({r["published"][:10] for r in found})
        outlets = Counter(r.get("source") or "?" for r in found)
        print(f"{story['name']:<16} {len(found):>8} {len(days):>5}  {days[0] if days else '-':<10}  "
              f"{days[-1] if days else '-':<10}  {', '.join(f'{s} {n}' for s, n in outlets.most_common())}")


def listing(corpus: Path, story: dict[str, Any], lead: int) -> None:
    for r in story_articles(corpus, story, lead):
        print(f"{r['id']}  {r['published'][:10]}  {r.get('source') or '?':<14} {r.get('title') or ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEV_CORPUS)
    parser.add_argument("--from", dest="start", default="2022-06-17")
    parser.add_argument("--to", dest="end", default="2022-12-31")
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--stories", type=Path)
    parser.add_argument("--list", metavar="NAME")
    parser.add_argument("--lead", type=int, default=600, help="characters of the text searched besides the title")
    args = parser.parse_args()
    if args.stories is None:
        candidates(args.corpus, args.start, args.end, args.top)
        return
    stories = json.loads(args.stories.read_text(encoding="utf-8"))
    if args.list:
        listing(args.corpus, next(s for s in stories if s["name"] == args.list), args.lead)
    else:
        coverage(args.corpus, stories, args.lead)


if __name__ == "__main__":
    main()
