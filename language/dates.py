"""Dates written in an article, resolved to calendar days.

Absolute dates without a year are the last such date before the article's, unless the sentence
speaks of the future or the date is only days ahead.
Relative ones ("two days later", "the day before") count from the most recent date mentioned
before them in the same article, or from the dateline; "yesterday", "on Thursday", "last week"
count from the dateline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3,
}
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]

_MONTH = r"(?P<{0}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:" + "|".join(WEEKDAYS) + r"),?\s+)?"
_NUM = r"(?P<num>\d+|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>day|week|month|year)s?"
# A month named alone is a month only when written as one, capitalised in full ("in March", not
# "the march", "he may"), and after a word that dates it ("in", "since", "last"...).
_FULL_MONTH = r"(?P<{0}>(?-i:" + "|".join(MONTH_NAMES) + r"))"
_NO_DAY = r"\b(?!\s*\d|-)"

_PATTERNS = [
    ("iso", r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    ("dmy_num", r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\b"),
    ("mdy", _WEEKDAY + r"\b" + _MONTH.format("month") + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{4})\b)?"),
    ("dmy", _WEEKDAY + r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH.format("month") + r"(?:,?\s+(?P<y>\d{4})\b)?"),
    ("relative", r"\b" + _NUM + r"\s+" + _UNIT + r"\s+(?P<dir>later|after(?:wards)?|earlier|before|ago|on)\b"),
    ("next_day", r"\bthe\s+(?:next|following)\s+(?P<unit>day|week|month|year)\b|\b(?P<unit2>day|week)\s+after\b"),
    ("prev_day", r"\bthe\s+(?:day|week)\s+(?:before|earlier)\b|\bthe\s+previous\s+(?P<unit>day|week)\b"),
    ("deictic", r"\b(?P<word>yesterday|today|tomorrow|last night|tonight)\b"),
    ("weekday", r"\b(?P<rel>last|this|next|on|by|until|since)?\s*(?P<wd>" + "|".join(WEEKDAYS) + r")\b"),
    ("last_unit", r"\b(?P<rel>last|this|next)\s+(?P<unit>week|month|year)\b"),
    ("month_year", r"\b(?:in\s+)?" + _MONTH.format("month") + r"\s+(?P<y>\d{4})\b"),
    ("month_rel_year", r"\b(?:in\s+)?" + _FULL_MONTH.format("month") + r"\s+(?P<rel>last|next|this)\s+year\b"),
    ("month_rel", r"\b(?P<rel>last|next|this)\s+" + _FULL_MONTH.format("month") + _NO_DAY),
    ("month_only", r"(?:\b(?:in|since|until|by|from|through|before|after|during|early|late)\s+|\bmid-)"
     + _FULL_MONTH.format("month") + _NO_DAY),
]
_SCANNER = re.compile("|".join(f"(?P<{name}>{rx.replace('(?P<', f'(?P<{name}_')})" for name, rx in _PATTERNS),
                      re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    value: date
    precision: str  # "day", "week", "month" or "year"

    def formatted(self) -> str:
        if self.precision == "day":
            return format_day(self.value)
        if self.precision == "month":
            return f"{MONTH_NAMES[self.value.month - 1]} {self.value.year}"
        if self.precision == "year":
            return str(self.value.year)
        return f"the week of {format_day(self.value)}"


def format_day(day: date) -> str:
    """One unambiguous format: 4 January 2022."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


# A yearless date at most this many days after the article's date is the coming one ("the
# runoff is on December 2", written in late November); any other is the last one before it.
AHEAD_DAYS = 14


def _yearless(month: int, day: int, reference: date, future: bool = False) -> date | None:
    """The year of a date written without one: the next such date when the sentence speaks of
    the future ("will take place on 6 May") or it is only days ahead, else the last one on or
    before `reference` (news reports what happened: a caption's "on March 17" in November is
    last March)."""
    options = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    ahead = [d for d in options if d >= reference]
    before = [d for d in options if d <= reference]
    if ahead and (future or (ahead[0] - reference).days <= AHEAD_DAYS or not before):
        return ahead[0]
    return before[-1] if before else None


_FUTURE = re.compile(
    r"\b(will|won['’]t|shall|is set to|are set to|scheduled|to be held|upcoming|expected to|due to|plans? to)\b",
    re.IGNORECASE,
)


def _speaks_of_future(m: re.Match[str]) -> bool:
    """The sentence before a date talks about what is to come."""
    before = m.string[max(0, m.start() - 160) : m.start()]
    return bool(_FUTURE.search(re.split(r"[.!?]\s", before)[-1]))


def _shift(day: date, unit: str, n: int) -> date:
    unit = unit.lower()
    if unit == "day":
        return day + timedelta(days=n)
    if unit == "week":
        return day + timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (day.day, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return date(year, month, 1)


def _group(match: re.Match[str], kind: str, name: str) -> str | None:
    return match.groupdict().get(f"{kind}_{name}")


def resolve_dates(text: str, published: date | None) -> list[DateMention]:
    """Every date expression of `text` in order, with its resolved value."""
    mentions: list[DateMention] = []
    anchor, anchor_precision = published, "day"
    for match in _SCANNER.finditer(text):
        kind = match.lastgroup or ""
        resolved = _resolve(kind, match, anchor, published)
        if resolved is None:
            continue
        value, precision = resolved
        if kind in _ANCHORED:  # counted from a coarser anchor, it is no finer than that anchor
            precision = max(precision, anchor_precision, key=_PRECISIONS.index)
        mentions.append(DateMention(match.start(), match.end(), match.group(), value, precision))
        if precision in ("day", "month"):
            anchor, anchor_precision = value, precision
    return mentions


_CALENDAR = {"iso", "dmy_num", "mdy", "dmy", "month_year"}


def calendar_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` writes a calendar date ("September 21", "2022-01-06", "March 2022"): the
    numbers inside are days and years, never counts."""
    return [m.span() for m in _SCANNER.finditer(text) if m.lastgroup in _CALENDAR]


_BARE_MONTH = {"month_rel_year", "month_rel", "month_only"}


def _bare_month(kind: str, m: re.Match[str], reference: date) -> date:
    """The month meant by a month named without its year: "in March last year", "next March";
    alone ("in March"), the coming one when the sentence speaks of the future, else the last one
    (this month counts as either)."""
    month = MONTHS[(_group(m, kind, "month") or "").lower()]
    rel = (_group(m, kind, "rel") or "").lower()
    if kind == "month_rel_year":
        return date(reference.year + {"last": -1, "this": 0, "next": 1}[rel], month, 1)
    this_year = date(reference.year, month, 1)
    current = date(reference.year, reference.month, 1)
    if rel == "this":
        return this_year
    ahead = rel == "next" or (not rel and _speaks_of_future(m))
    if ahead:
        coming = this_year if this_year > current or (not rel and this_year == current) else None
        return coming or date(reference.year + 1, month, 1)
    past = this_year if this_year < current or (not rel and this_year == current) else None
    return past or date(reference.year - 1, month, 1)


# The words that report a statement: the day right after them is when it was said ("the company
# said on Wednesday"), not when what it said happened.
_REPORTED = re.compile(
    r"\b(?:said|says|told(?:\s+(?:reporters|journalists|the\s+press|\w+))?|announced|reported|confirmed|stated"
    r"|added|wrote|declared|revealed|disclosed|noted|explained|tweeted|posted|speaking)"
    r"(?:\s+(?:in|at|during)\s+(?:a|an|the)\s+(?:\w+\s+)?(?:statement|interview|briefing|conference|release))?"
    r"\s*,?\s*$",
    re.IGNORECASE,
)


def reported_on(text: str, mention: DateMention) -> bool:
    """`mention` (of `text`) dates a statement rather than the event stated: "..., the company
    said on Wednesday", "police told reporters on Friday that..."."""
    return bool(_REPORTED.search(text[max(0, mention.start - 80) : mention.start]))


_PRECISIONS = ["day", "week", "month", "year"]
_ANCHORED = {"relative", "next_day", "prev_day"}


def _resolve(kind: str, m: re.Match[str], anchor: date | None, published: date | None) -> tuple[date, str] | None:
    def g(name: str) -> str | None:
        return _group(m, kind, name)

    try:
        if kind in ("iso", "dmy_num"):
            return date(int(g("y") or 0), int(g("m") or 0), int(g("d") or 0)), "day"
        if kind in ("mdy", "dmy"):
            month, day = MONTHS[(g("month") or "").lower()], int(g("d") or 0)
            if g("y"):
                return date(int(g("y") or 0), month, day), "day"
            reference = published or anchor
            found = _yearless(month, day, reference, _speaks_of_future(m)) if reference else None
            return (found, "day") if found else None
        if kind == "month_year":
            return date(int(g("y") or 0), MONTHS[(g("month") or "").lower()], 1), "month"
    except (ValueError, KeyError):
        return None
    if kind in _BARE_MONTH:
        reference = published or anchor
        return (_bare_month(kind, m, reference), "month") if reference else None
    if kind == "relative":
        base = published if (g("dir") or "").lower() == "ago" else anchor
        if base is None:
            return None
        raw = (g("num") or "").lower()
        n = int(raw) if raw.isdigit() else NUMBERS.get(raw, 0)
        if n <= 0 or n > 400:
            return None
        sign = -1 if (g("dir") or "").lower() in ("earlier", "before", "ago") else 1
        unit = (g("unit") or "day").lower()
        return _shift(base, unit, sign * n), "day" if unit == "day" else unit
    if kind == "next_day" and anchor:
        unit = (g("unit") or g("unit2") or "day").lower()
        return _shift(anchor, unit, 1), "day" if unit == "day" else unit
    if kind == "prev_day" and anchor:
        unit = (g("unit") or ("week" if "week" in m.group().lower() else "day")).lower()
        return _shift(anchor, unit, -1), "day" if unit == "day" else unit
    if kind == "deictic" and published:
        offset = {"yesterday": -1, "last night": -1, "today": 0, "tonight": 0, "tomorrow": 1}
        return published + timedelta(days=offset[(g("word") or "").lower()]), "day"
    if kind == "weekday" and published:
        target = WEEKDAYS.index((g("wd") or "").lower())
        rel = (g("rel") or "").lower()
        back = (published.weekday() - target) % 7
        if rel == "next":
            return published + timedelta(days=(target - published.weekday()) % 7 or 7), "day"
        if rel == "last":
            return published - timedelta(days=back or 7), "day"
        if rel in ("by", "until") and back:
            return published + timedelta(days=7 - back), "day"
        return published - timedelta(days=back), "day"
    if kind == "last_unit" and published:
        rel, unit = (g("rel") or "").lower(), (g("unit") or "").lower()
        n = {"last": -1, "this": 0, "next": 1}[rel]
        return _shift(published, unit, n), unit
    return None
