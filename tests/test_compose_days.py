"""The day a composed point is about: the one its sentence names, not a day to come read as last year's."""

from datetime import date

from bot.compose.material import day_named
from language.dates import resolve_dates


def test_a_yearless_day_a_few_weeks_ahead_is_to_come_not_last_years() -> None:
    text = "Engineers named two new windows for the launch, October 14 or October 17, after the leak."
    assert day_named(resolve_dates(text, date(2023, 9, 20)), date(2023, 9, 20)) is None


def test_a_yearless_day_before_the_article_is_its_day() -> None:
    text = "The launch was called off on September 2 after a leak."
    assert day_named(resolve_dates(text, date(2023, 9, 20)), date(2023, 9, 20)) == date(2023, 9, 2)


def test_a_day_of_last_year_written_with_its_year_stays() -> None:
    text = "The rocket first flew on October 14, 2022, from the same pad."
    assert day_named(resolve_dates(text, date(2023, 9, 20)), date(2023, 9, 20)) == date(2022, 10, 14)
