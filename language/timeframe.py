"""The time a question points at, resolved against its reference date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}


@dataclass(frozen=True)
class TimeFrame:
    """`as_of` is the reference date (nothing later is used); [start, end] is the window the
    question asks about. `explicit` is False when no time word was found: the window is then the
    recent past, a soft preference for current coverage."""

    as_of: date
    start: date
    end: date
    explicit: bool

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


# Recent coverage preferred when the question names no time.
RECENT_DAYS = 14


def _month_window(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def question_timeframe(question: str, as_of: date) -> TimeFrame:
    q = question.lower()

    def frame(start: date, end: date) -> TimeFrame:
        return TimeFrame(as_of, start, min(end, as_of), True)

    if re.search(r"\byesterday\b", q):
        return frame(as_of - timedelta(days=1), as_of - timedelta(days=1))
    if re.search(r"\b(today|tonight|this morning)\b", q):
        return frame(as_of - timedelta(days=1), as_of)
    if re.search(r"\b(this|past|last) weekend\b", q):
        return frame(as_of - timedelta(days=7), as_of)
    if re.search(r"\blast week\b", q):
        return frame(as_of - timedelta(days=14), as_of)
    if re.search(r"\b(this|past|the last|in the last|over the last) (week|few days|several days)\b|\bthis past week\b", q):
        return frame(as_of - timedelta(days=8), as_of)
    if re.search(r"\blast month\b", q):
        prev = as_of.replace(day=1) - timedelta(days=1)
        return frame(*_month_window(prev.year, prev.month))
    if re.search(r"\b(this|past) month\b", q):
        return frame(as_of - timedelta(days=31), as_of)
    if re.search(r"\blast year\b", q):
        return frame(date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31))
    if re.search(r"\bthis year\b", q):
        return frame(date(as_of.year, 1, 1), as_of)
    month = re.search(r"\bin (" + "|".join(_MONTHS) + r")(?: (\d{4}))?\b", q)
    if month:
        year = int(month.group(2)) if month.group(2) else as_of.year
        if not month.group(2) and _MONTHS[month.group(1)] > as_of.month:
            year -= 1  # "in November", asked in March: the last November
        return frame(*_month_window(year, _MONTHS[month.group(1)]))
    year_only = re.search(r"\bin (19\d\d|20\d\d)\b", q)
    if year_only:
        return frame(date(int(year_only.group(1)), 1, 1), date(int(year_only.group(1)), 12, 31))
    if re.search(r"\b(recent|recently|latest|currently|just|now|new|newly|upcoming|this season)\b", q):
        return frame(as_of - timedelta(days=RECENT_DAYS * 2), as_of)
    return TimeFrame(as_of, as_of - timedelta(days=RECENT_DAYS), as_of, False)
