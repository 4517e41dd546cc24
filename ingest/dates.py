"""Publication dates from metadata values and datelines, read strictly.

A date newsdesk cannot trust is never guessed: relative words ("yesterday") would be read against
the day of the ingest, numbers far from plausible Unix times would become 1970, and a date in the
future would hide an article from every as-of question. Such values raise `DateProblem`, which
the readers report; the article is then stored undated.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
# Unix times outside [1990, tomorrow] are not publication dates; above this they are milliseconds.
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC).timestamp()
_MILLISECONDS = 1e11
# Time zones put some articles a day ahead of the machine's clock; later than this is an error.
FUTURE_TOLERANCE = timedelta(days=2)


class DateProblem(ValueError):
    """A date value that cannot be trusted; the message says why, for the ingest report."""


def parse_date(value: object, today: date | None = None) -> date | None:
    """A date from an ISO string, a Unix timestamp or absolute text ("Jan 5, 2022"); None when empty.

    Raises DateProblem for anything else: relative words, implausible numbers, future dates.
    """
    if value is None or value == "":
        return None
    found = _read(value)
    _check_not_future(found, today)
    return found


def _read(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise DateProblem(f"{value!r} is not a date")
    if isinstance(value, (int, float)):
        seconds = value / 1000 if abs(value) >= _MILLISECONDS else float(value)
        latest = (datetime.now(UTC) + FUTURE_TOLERANCE).timestamp()
        if not _EARLIEST <= seconds <= latest:
            raise DateProblem(f"{value!r} is not a plausible Unix timestamp")
        return datetime.fromtimestamp(seconds, UTC).date()
    if not isinstance(value, str):
        raise DateProblem(f"a {type(value).__name__} is not a date")
    text = value.strip()
    match = _ISO.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise DateProblem(f"'{text}' is not a date") from None
    import dateparser  # slow to import; only for the unusual formats

    parsed = dateparser.parse(text, languages=["en"], settings={
        "STRICT_PARSING": True, "RETURN_AS_TIMEZONE_AWARE": False,
        # No relative-time parser: "yesterday" has no meaning in an archive.
        "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    })
    if parsed is None:
        raise DateProblem(f"'{text}' is not a date (use YYYY-MM-DD)")
    day: date = parsed.date()
    return day


def _check_not_future(day: date, today: date | None) -> None:
    if day > (today or date.today()) + FUTURE_TOLERANCE:
        raise DateProblem(f"{day.isoformat()} is in the future")


def find_dateline(text: str, window: int = 300, today: date | None = None) -> date | None:
    """A date written near the top of an article ("Brussels 06.01.2022", "2022-01-06").

    Raises DateProblem when the only date found there lies in the future.
    """
    head = text[:window]
    for pattern, order in ((_ISO, "ymd"), (_DMY, "dmy")):
        match = pattern.search(head)
        if not match:
            continue
        a, b, c = (int(g) for g in match.groups())
        year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        _check_not_future(found, today)
        return found
    return None
