"""Dates in articles and time words in questions, resolved against the right reference."""

from __future__ import annotations

from datetime import date

import pytest

from language.dates import format_day, resolve_dates
from language.timeframe import question_timeframe
from tests.conftest import SEED_FILE


def resolved(text: str, published: date | None) -> list[tuple[str, str]]:
    return [(m.text, m.formatted()) for m in resolve_dates(text, published)]


def test_seed_two_days_later_counts_from_january_2() -> None:
    body = SEED_FILE.read_text(encoding="utf-8").split("\n", 1)[1]
    found = dict(resolved(body, date(2022, 1, 6)))
    assert found["Two days later"] == "4 January 2022"
    assert found["January 2"] == "2 January 2022"


def test_chains_of_relative_dates() -> None:
    text = "The strike began on March 3. Two days later talks failed. The next day, the union walked out."
    assert resolved(text, date(2022, 3, 10)) == [
        ("March 3", "3 March 2022"), ("Two days later", "5 March 2022"), ("The next day", "6 March 2022"),
    ]


def test_yearless_dates_across_the_new_year() -> None:
    text = "Fireworks were banned on Dec. 30. Three days later the ban was lifted."
    assert resolved(text, date(2022, 1, 6)) == [("Dec. 30", "30 December 2021"), ("Three days later", "2 January 2022")]
    assert resolved("Results are due January 3.", date(2021, 12, 29)) == [("January 3", "3 January 2022")]


def test_a_yearless_date_in_a_sentence_about_the_future_is_the_next_one() -> None:
    text = "The festival will open on 6 May, the organisers said. Crowds gathered on 6 May."
    assert resolved(text, date(2022, 10, 11)) == [("6 May", "6 May 2023"), ("6 May.", "6 May 2022")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The vote was on Monday.", "3 January 2022"),  # published Thursday 6 January 2022
        ("It happened last Thursday.", "30 December 2021"),
        ("She will speak next Monday.", "10 January 2022"),
        ("He resigned yesterday.", "5 January 2022"),
        ("The rally is today.", "6 January 2022"),
        ("The day before, crowds gathered.", "5 January 2022"),
    ],
)
def test_words_relative_to_the_dateline(text: str, expected: str) -> None:
    assert resolved(text, date(2022, 1, 6))[0][1] == expected


def test_explicit_years_and_numeric_datelines() -> None:
    assert resolved("Brussels 06.01.2022 The council met on 5 January 2021.", None) == [
        ("06.01.2022", "6 January 2022"), ("5 January 2021", "5 January 2021"),
    ]


def test_no_date_article_resolves_only_absolute_dates() -> None:
    assert resolved("Two days later, on Friday, it rained.", None) == []
    assert resolved("It rained on July 4, 1999.", None) == [("July 4, 1999", "4 July 1999")]


def test_format_is_unambiguous() -> None:
    assert format_day(date(2022, 1, 4)) == "4 January 2022"


@pytest.mark.parametrize(
    ("question", "start", "end", "explicit"),
    [
        ("What happened this week in Congress?", date(2022, 6, 8), date(2022, 6, 16), True),
        ("Who resigned yesterday?", date(2022, 6, 15), date(2022, 6, 15), True),
        ("What did the Fed do last month?", date(2022, 5, 1), date(2022, 5, 31), True),
        ("Which show was recently renewed?", date(2022, 5, 19), date(2022, 6, 16), True),
        ("Who is the prime minister of Armenia?", date(2022, 6, 2), date(2022, 6, 16), False),
    ],
)
def test_question_time_words(question: str, start: date, end: date, explicit: bool) -> None:
    frame = question_timeframe(question, date(2022, 6, 16))
    assert (frame.start, frame.end, frame.explicit) == (start, end, explicit)


def test_a_yearless_date_is_in_the_past_unless_it_is_near_or_spoken_of_as_future() -> None:
    # A caption in a November article: last March, not next March (issue 12).
    assert resolved("A photo taken on March 17 shows the rover.", date(2022, 11, 16)) == [
        ("March 17", "17 March 2022")]
    # Days ahead, said in the present tense: the coming date.
    assert resolved("The runoff is on December 2.", date(2022, 11, 25)) == [("December 2", "2 December 2022")]
