"""What every streaming source yields: articles one at a time, and problems as they happen.

    SourceItem = Article | Problem

A source (a feed, a sitemap, a WARC file, a JSONL export) is a generator of SourceItems. It never
builds a list of its articles, and it never raises for bad input: a feed that cannot be parsed,
a page that cannot be fetched or a record without article text each become one `Problem`, and
the articles around them still come through. Problems that many records share (a WARC's
thousands of images) come once, as a summary with a `count`.

`Problem.kind` says where a report puts it:

    failed    something that should have become an article did not (a fetch failed, no text)
    skipped   passed over on purpose (not HTML, a revisit record, unchanged since the last run)
    warning   the article was kept, with a value set aside (a date in the future: stored undated)
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, TypeAlias

from index.models import Article
from ingest.dates import DateProblem, parse_date

ProblemKind = Literal["failed", "skipped", "warning"]


@dataclass(frozen=True)
class Problem:
    where: str  # the URL or file, with the record when there is one: "crawl.warc.gz (record 12)"
    reason: str  # one line, for the user; never a traceback
    kind: ProblemKind = "failed"
    count: int = 1  # how many records a summary stands for


SourceItem: TypeAlias = Article | Problem

# "Is an article with this id stored already?" A page whose article is not stored is fetched in
# full even when the site says it has not changed, so an article lost in an earlier run comes back.
Known: TypeAlias = Callable[[str], bool]


def read_date(value: object, today: date | None = None, notes: list[str] | None = None) -> date | None:
    """`parse_date`, plus the RFC 822 dates of RSS ("Mon, 06 Sep 2021 16:45:00 +0000") read
    without dateparser. Raises DateProblem like `parse_date`."""
    if isinstance(value, str) and value.strip() and not value.strip()[:4].isdigit():
        try:
            parsed: datetime | None = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parse_date(parsed, today)
    return parse_date(value, today, notes)


def pick_date(candidates: Iterable[object], where: str, today: date | None = None) -> tuple[date | None, Problem | None]:
    """The first usable date among `candidates` (best first). When none is usable but one was
    given, the article is undated and the first bad value becomes a warning; a numeric date read
    day first, that both orders make, is a warning too."""
    first_problem: Problem | None = None
    for value in candidates:
        notes: list[str] = []  # a numeric date read day first, when both orders make one
        try:
            day = read_date(value, today, notes)
        except DateProblem as problem:
            first_problem = first_problem or Problem(where, f"stored undated: the date {problem}", "warning")
            continue
        if day is not None:
            return day, Problem(where, notes[0], "warning") if notes else None
    return None, first_problem


class SkipTally:
    """Records skipped for the same reason, reported once each at the end with a few examples.

    A reason is written with `{s}` where its plural takes an "s": "revisit record{s}".
    """

    EXAMPLES = 3

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._kinds: dict[str, ProblemKind] = {}
        self._examples: dict[str, list[str]] = {}

    def add(self, reason: str, example: str, kind: ProblemKind = "skipped") -> None:
        self._counts[reason] = self._counts.get(reason, 0) + 1
        self._kinds.setdefault(reason, kind)
        examples = self._examples.setdefault(reason, [])
        if len(examples) < self.EXAMPLES and example:
            examples.append(example)

    def count(self, reason: str) -> int:
        return self._counts.get(reason, 0)

    def problems(self, where: str) -> Iterator[Problem]:
        for reason, count in self._counts.items():
            examples = self._examples[reason]
            more = ", ..." if count > len(examples) else ""
            shown = f" (e.g. {', '.join(examples)}{more})" if examples else ""
            text = reason.format(s="" if count == 1 else "s")
            yield Problem(where, f"{count} {text}{shown}", self._kinds[reason], count)
