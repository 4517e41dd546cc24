"""Publication dates from metadata values and datelines, read strictly.

A date newsdesk cannot trust is never guessed: relative words ("yesterday") would be read against
the day of the ingest, numbers far from plausible Unix times would become 1970, and a date in the
future would hide an article from every as-of question. Such values raise `DateProblem`, which
the readers report; the article is then stored undated.

Numeric dates follow one rule wherever they are written (a text's first lines, front matter, an
export's field): day first ("03/04/2024" is 3 April 2024), unless only the other order makes a
date ("04/13/2024" is 13 April). A date that both orders make is read day first and a note
says so (`notes`), for the ingest's warnings: "write 2024-04-03 to be sure".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMERIC = re.compile(r"\b(\d{1,2})([./-])(\d{1,2})\2(\d{4})\b")
_MONTH = (r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
# "May 5, 2024", "Jan. 5th, 2024"; "5 May 2024", "5th of May, 2024".
_WORDS = (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+(?P<year>\d{{4}})\b", re.I),
          re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})\b", re.I))
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Unix times outside [1990, tomorrow] are not publication dates; above this they are milliseconds.
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC).timestamp()
_MILLISECONDS = 1e11
# Time zones put some articles a day ahead of the machine's clock; later than this is an error.
FUTURE_TOLERANCE = timedelta(days=2)


class DateProblem(ValueError):
    """A date value that cannot be trusted; the message says why, for the ingest report."""


def parse_date(value: object, today: date | None = None, notes: list[str] | None = None) -> date | None:
    """A date from an ISO string, a Unix timestamp or absolute text ("Jan 5, 2022"); None when empty.
    A numeric date both orders could make adds a note to `notes`.

    Raises DateProblem for anything else: relative words, implausible numbers, future dates.
    """
    if value is None or value == "":
        return None
    found = _read(value, notes)
    _check_not_future(found, today)
    return found


def _read(value: object, notes: list[str] | None) -> date:
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
    match = _NUMERIC.match(text)
    if match:
        day = _numeric(match, notes)
        if day is None:
            raise DateProblem(f"'{text}' is not a date (use YYYY-MM-DD)")
        return day
    return _in_words(text)


def _in_words(text: str) -> date:
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


def _numeric(match: re.Match[str], notes: list[str] | None) -> date | None:
    """"03/04/2024" day first; "04/13/2024" month first, the only order that makes a date."""
    first, second, year = int(match[1]), int(match[3]), int(match[4])
    readings = [day for day in (_valid(year, second, first), _valid(year, first, second)) if day is not None]
    if not readings:
        return None
    if len(set(readings)) > 1 and notes is not None:
        found, other = readings
        notes.append(f"the date '{match[0]}' could be {found.day} {found:%B} or {other.day} {other:%B}: "
                     f"read day first, as {found.isoformat()} (write YYYY-MM-DD to be sure)")
    return readings[0]


def _check_not_future(day: date, today: date | None) -> None:
    if day > (today or date.today()) + FUTURE_TOLERANCE:
        raise DateProblem(f"{day.isoformat()} is in the future")


def find_dateline(text: str, window: int = 300, today: date | None = None,
                  notes: list[str] | None = None) -> date | None:
    """The first date written near the top of an article ("Brussels 06.01.2022", "2022-01-06",
    "May 5, 2024"). A numeric date both orders could make adds a note to `notes`.

    Raises DateProblem when that date lies in the future.
    """
    found = min(_dates_in(text[:window]), key=lambda item: item[0], default=None)
    if found is None:
        return None
    _, first, said = found
    _check_not_future(first, today)
    if notes is not None:
        notes.extend(said)
    return first


def _dates_in(head: str) -> Iterator[tuple[int, date, list[str]]]:
    """Every date written in `head`: where it starts, the date, and the notes reading it gave."""
    for match in _ISO.finditer(head):
        day = _valid(int(match[1]), int(match[2]), int(match[3]))
        if day is not None:
            yield match.start(), day, []
    for match in _NUMERIC.finditer(head):
        said: list[str] = []
        day = _numeric(match, said)
        if day is not None:
            yield match.start(), day, said
    for pattern in _WORDS:
        for match in pattern.finditer(head):
            month = _MONTHS.index(match["month"][:3].lower()) + 1
            day = _valid(int(match["year"]), month, int(match["day"]))
            if day is not None:
                yield match.start(), day, []


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
