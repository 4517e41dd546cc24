"""Parse publication dates from metadata strings and datelines."""

from __future__ import annotations

import re
from datetime import date, datetime

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")


def parse_date(value: object) -> date | None:
    """A date from an ISO string, a timestamp or free text ("Jan 5, 2022"); None when there is none."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value)).date()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    match = _ISO.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    import dateparser  # slow to import; only for the unusual formats

    parsed = dateparser.parse(
        text, languages=["en"], settings={"STRICT_PARSING": True, "RETURN_AS_TIMEZONE_AWARE": False}
    )
    return parsed.date() if parsed else None


def find_dateline(text: str, window: int = 300) -> date | None:
    """A date written near the top of an article ("Brussels 06.01.2022", "2022-01-06")."""
    head = text[:window]
    for pattern, order in ((_ISO, "ymd"), (_DMY, "dmy")):
        match = pattern.search(head)
        if not match:
            continue
        a, b, c = (int(g) for g in match.groups())
        year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None
