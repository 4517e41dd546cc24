"""Issue 21, item 11: one rule for numeric dates, whatever the format they come in; a date newsdesk
sets aside is always reported; plain text takes the first date of its first lines."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ingest.dates import DateProblem, find_dateline, parse_date
from ingest.formats import read_file
from ingest.warc import read_warc
from tests.test_warc import STORY, Archive, split
from tests.web_fake import article_page

MB = 1_000_000


def _read(tmp_path: Path, name: str, content: str) -> tuple[date | None, list[str]]:
    (tmp_path / name).write_text(content)
    result = read_file(tmp_path / name, tmp_path, MB)
    return result.articles[0].published, [w.reason for w in result.warnings]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.txt", "Port reopens\nHamburg 03/04/2024 - The port reopened.\n"),
        ("b.md", "---\ntitle: Port reopens\ndate: 03/04/2024\n---\nThe port reopened.\n"),
        ("c.json", json.dumps({"title": "Port reopens", "text": "The port reopened.", "date": "03/04/2024"})),
        ("d.jsonl", json.dumps({"title": "Port reopens", "text": "The port reopened.", "published": "03.04.2024"})),
    ],
)
def test_an_ambiguous_numeric_date_is_read_day_first_everywhere_with_a_warning(
    tmp_path: Path, name: str, content: str
) -> None:
    """It was 3 April in a .txt and 4 March in front matter, with no warning."""
    published, warnings = _read(tmp_path, name, content)
    assert published == date(2024, 4, 3)
    assert len(warnings) == 1 and "day first" in warnings[0] and "2024-04-03" in warnings[0]


@pytest.mark.parametrize(
    ("value", "day"),
    [("13/04/2024", date(2024, 4, 13)), ("04/13/2024", date(2024, 4, 13)), ("05.05.2024", date(2024, 5, 5)),
     ("2024-04-03", date(2024, 4, 3)), ("3 April 2024", date(2024, 4, 3))],
)
def test_numeric_dates_only_one_order_can_mean_need_no_warning(value: str, day: date) -> None:
    notes: list[str] = []
    assert parse_date(value, notes=notes) == day and notes == []
    notes = []
    assert find_dateline(f"Hamburg, {value}: the port reopened.", notes=notes) == day and notes == []


def test_two_numbers_above_twelve_are_no_date() -> None:
    with pytest.raises(DateProblem):
        parse_date("13/14/2024")
    assert find_dateline("Call 13/14/2024 for tickets.") is None


@pytest.mark.parametrize(
    "line",
    ["May 5, 2024", "By Ann Lee | May 5, 2024", "Updated: 5 May 2024, 10:02", "Jan. 5, 2024",
     "Sunday, January 5th, 2024", "5th of May 2024"],
)
def test_plain_text_takes_a_date_in_words_from_its_first_lines(tmp_path: Path, line: str) -> None:
    """"May 5, 2024" on the second line left the article undated."""
    published, warnings = _read(tmp_path, "a.txt", f"Port reopens\n{line}\nThe port reopened on Sunday.\n")
    expected = date(2024, 1, 5) if "Jan" in line else date(2024, 5, 5)
    assert (published, warnings) == (expected, [])


def test_the_first_date_of_the_first_lines_wins(tmp_path: Path) -> None:
    published, _ = _read(tmp_path, "a.txt", "Port reopens\nMay 5, 2024\nThe port, shut on 2024-03-01, reopened.\n")
    assert published == date(2024, 5, 5)


def _future_page(title: str) -> str:
    return article_page(title, STORY, published="2099-01-01")


def test_an_html_date_in_the_future_is_reported(tmp_path: Path) -> None:
    """The page's date was dropped in silence (trafilatura keeps no date after today)."""
    published, warnings = _read(tmp_path, "page.html", _future_page("Tram line approved"))
    assert published is None
    assert warnings == ["stored undated: the date 2099-01-01 is in the future"]


def test_an_html_date_of_tomorrow_is_kept(tmp_path: Path) -> None:
    """Within the two days time zones put some articles ahead of the machine's clock."""
    from datetime import timedelta

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    published, warnings = _read(tmp_path, "page.html", article_page("Tram line approved", STORY, published=tomorrow))
    assert (published, warnings) == (date.fromisoformat(tomorrow), [])


def test_a_warc_page_dated_in_the_future_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    archive = Archive(path, True)
    archive.response("https://www.daily.example/tram", _future_page("Tram line approved"))
    archive.close()
    articles, problems = split(read_warc(path))
    assert [a.published for a in articles] == [None]
    assert [(p.kind, p.reason) for p in problems] == [
        ("warning", "stored undated: the date 2099-01-01 is in the future")]
