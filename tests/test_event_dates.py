"""Issue 24, item 4: a "when" question is answered with the date the text gives for the event,
resolved against the dateline, not with the day it was reported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.runtime import Runtime
from language.dates import reported_on, resolve_dates
from tests.conftest import ask, ingest_story

JUNE_3 = date(2026, 6, 3)  # a Wednesday


def resolved(text: str, published: date | None) -> list[tuple[str, str]]:
    return [(m.text, m.formatted()) for m in resolve_dates(text, published)]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Construction began in March last year.", JUNE_3, [("in March last year", "March 2025")]),
        ("It began last March.", JUNE_3, [("last March", "March 2026")]),
        ("It began last March.", date(2026, 2, 10), [("last March", "March 2025")]),
        ("The works end next March.", JUNE_3, [("next March", "March 2027")]),
        ("Talks collapsed in January.", JUNE_3, [("in January", "January 2026")]),
        ("Talks collapsed in October.", JUNE_3, [("in October", "October 2025")]),
        ("The plant will open in September.", JUNE_3, [("in September", "September 2026")]),
        ("The trial is scheduled to open in March.", JUNE_3, [("in March", "March 2027")]),
        ("Prices have risen since February.", JUNE_3, [("since February", "February 2026")]),
    ],
)
def test_a_month_without_a_year_is_resolved_against_the_dateline(
    text: str, published: date, expected: list[tuple[str, str]]
) -> None:
    """"in March last year" was read as "last year" (June 2025); "last March" and "in January" not at all."""
    assert resolved(text, published) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He may resign.", []),
        ("Thousands joined the march on the capital.", []),
        ("The May government fell.", []),
        ("In May 2024 it rained.", [("In May 2024", "May 2024")]),
        ("It opened on March 14.", [("March 14", "14 March 2026")]),
    ],
)
def test_words_that_are_not_a_bare_month_stay_as_they_were(text: str, expected: list[tuple[str, str]]) -> None:
    assert resolved(text, JUNE_3) == expected


@pytest.mark.parametrize(
    ("text", "reported"),
    [
        ("The company said on Wednesday that the plant will open on 14 August.", ["on Wednesday"]),
        ("The plant will open on 14 August, the company said on Wednesday.", ["on Wednesday"]),
        ("Officials told reporters on Tuesday the bridge had closed on Monday.", ["on Tuesday"]),
        ("The ministry announced Tuesday that the border reopened on 2 May.", ["Tuesday"]),
        ("Police said on Friday the suspect was arrested on 2 May.", ["on Friday"]),
        ("The bridge closed on Monday.", []),
    ],
)
def test_the_day_a_statement_was_made_is_told_from_the_day_of_the_event(text: str, reported: list[str]) -> None:
    mentions = resolve_dates(text, JUNE_3)
    assert [m.text.strip() for m in mentions if reported_on(text, m)] == reported


# The real answerer, real model and Chroma: the date answered is the event's.

@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        ("The company said on Wednesday that the Dravik battery plant will open on 14 August and employ 900.",
         "When will the Dravik battery plant open?", "14 August 2026"),
        ("Police said on Friday that the Harlow bank robbery suspect was arrested on 2 May.",
         "When was the Harlow bank robbery suspect arrested?", "2 May 2026"),
        ("Construction of the Dravik battery plant began in March last year, the company said on Wednesday.",
         "When did construction of the Dravik battery plant begin?", "March 2025"),
    ],
)
def test_a_when_question_is_answered_with_the_date_of_the_event(
    runtime: Runtime, tmp_path: Path, text: str, question: str, expected: str
) -> None:
    """It took the day of "said on Wednesday" (the report), not the event's."""
    ingest_story(runtime, tmp_path / "a", date(2026, 6, 3), "Plant news", text)
    assert ask(runtime, question, as_of=date(2026, 6, 10)).answer == expected
