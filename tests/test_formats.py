"""Each reader turns its format into articles with ids, titles, dates, sources and full text."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from ingest.errors import ArticleReadError
from ingest.formats import read_file
from ingest.records import normalize_url, url_id
from tests.conftest import SEED_FILE, SEEDS

MB = 1_000_000


def test_seed_format() -> None:
    [article] = read_file(SEED_FILE, SEEDS, 20 * MB).articles
    assert article.title == "Kazakhstan: CSTO troops to quell protests"
    assert article.published == date(2022, 1, 6)
    assert article.text.startswith("Brussels 06.01.2022")
    assert "date 2022-01-06" not in article.text
    assert article.source == "seeds"
    assert article.path == str(SEED_FILE.resolve())
    # Stable: the same file under the same root gives the same id.
    assert read_file(SEED_FILE, SEEDS, 20 * MB).articles[0].id == article.id


def test_plain_text_and_markdown(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Mayor resigns\nThe mayor resigned on 2023-03-02 after a vote.\n")
    (tmp_path / "b.md").write_text("# Floods hit the valley\n\nRiver levels rose overnight.\n")
    a = read_file(tmp_path / "a.txt", tmp_path, MB).articles[0]
    b = read_file(tmp_path / "b.md", tmp_path, MB).articles[0]
    assert (a.title, a.text) == ("Mayor resigns", "The mayor resigned on 2023-03-02 after a vote.")
    assert a.published == date(2023, 3, 2)  # dateline found in the text
    assert (b.title, b.text, b.published) == ("Floods hit the valley", "River levels rose overnight.", None)
    assert a.id != b.id


def test_markdown_front_matter(tmp_path: Path) -> None:
    (tmp_path / "c.md").write_text(
        "---\ntitle: Port reopens\ndate: 2021-11-30\nurl: https://news.example/port\nsource: Example\n---\n"
        "The port reopened on Tuesday.\n"
    )
    article = read_file(tmp_path / "c.md", tmp_path, MB).articles[0]
    assert (article.title, article.published, article.source) == ("Port reopens", date(2021, 11, 30), "Example")
    assert article.id == url_id("https://news.example/port")
    assert article.text == "The port reopened on Tuesday."


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,<b>hi</b>", "file:///etc/passwd",
                                  "/2021/11/port", "ftp://news.example/port"])
def test_only_http_links_are_stored_as_an_article_link(tmp_path: Path, link: str) -> None:
    (tmp_path / "c.md").write_text(f"---\ntitle: Port reopens\nurl: {link}\n---\nThe port reopened on Tuesday.\n")
    (tmp_path / "e.json").write_text(json.dumps([{"title": "Port", "text": "The port reopened.", "url": link}]))
    for name, where in (("c.md", ""), ("e.json", "item 1")):
        result = read_file(tmp_path / name, tmp_path, MB)
        [article] = result.articles
        assert (article.url, article.source) == (None, tmp_path.name)
        assert [(w.where, w.reason) for w in result.warnings] == [
            (where, f"the link '{link}' is not an http(s) URL: stored without it")]


def test_html_uses_main_text_and_metadata(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        "<html><head><title>Storm closes schools | Daily</title>"
        '<link rel="canonical" href="https://www.daily.example/2022/02/03/storm/">'
        '<meta property="article:published_time" content="2022-02-03T08:00:00Z">'
        "</head><body><nav>Home | Weather | Sports</nav><article><h1>Storm closes schools</h1>"
        "<p>All schools in the district closed on Thursday as the storm brought heavy snow.</p>"
        "<p>Officials said classes would resume on Monday if the roads were cleared in time.</p>"
        "</article><footer>Copyright Daily</footer></body></html>"
    )
    article = read_file(tmp_path / "page.html", tmp_path, MB).articles[0]
    assert article.title.startswith("Storm closes schools")
    assert article.published == date(2022, 2, 3)
    assert article.url == "https://www.daily.example/2022/02/03/storm/"
    assert article.source == "daily.example"
    assert "heavy snow" in article.text and "Copyright" not in article.text and "Sports" not in article.text
    assert article.id == url_id("https://daily.example/2022/02/03/storm")  # normalised URL


def test_json_and_jsonl_exports(tmp_path: Path) -> None:
    records = [
        {"title": "One", "text": "First body.", "published": "2022-05-01", "url": "https://x.example/1", "source": "X"},
        {"title": "Two", "body": "Second body.", "date": "May 2, 2022"},
    ]
    (tmp_path / "a.json").write_text(json.dumps(records))
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    with gzip.open(tmp_path / "c.jsonl.gz", "wt") as handle:
        handle.write(json.dumps(records[0]) + "\n")
    for name in ("a.json", "b.jsonl"):
        one, two = read_file(tmp_path / name, tmp_path, MB).articles
        assert (one.title, one.text, one.published, one.source) == ("One", "First body.", date(2022, 5, 1), "X")
        assert (two.title, two.text, two.published) == ("Two", "Second body.", date(2022, 5, 2))
        assert one.id == url_id("https://x.example/1")
    assert read_file(tmp_path / "c.jsonl.gz", tmp_path, MB).articles[0].title == "One"


def test_url_normalisation() -> None:
    assert normalize_url("https://www.cnn.com/a/b/index.html?utm_source=x#frag") == "cnn.com/a/b"
    assert normalize_url("http://cnn.com/a/b/") == "cnn.com/a/b"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("latin1.txt", "Caf\xe9 news\nbody".encode("latin-1"), "UTF-8"),
        ("cut.json", b'{"title": "x", "text": "abc', "invalid JSON"),
        ("notext.json", b'{"title": "x"}', "no 'text'"),
        ("image.png", b"\x89PNG", "unsupported"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ArticleReadError, match=reason):
        read_file(path, tmp_path, MB)


def test_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Title\n" + b"word " * 200_000)
    with pytest.raises(ArticleReadError, match="above the"):
        read_file(path, tmp_path, 500_000)


def test_jsonl_with_a_truncated_last_line_keeps_good_records(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"title": "Good", "text": "Fine."}) + "\n" + '{"title": "Bad", "te')
    result = read_file(path, tmp_path, MB)
    assert [a.title for a in result.articles] == ["Good"]
    assert [(e.where, "invalid JSON" in e.reason) for e in result.errors] == [("line 2", True)]


# -- defects found by a new user (issue 12): each of these failed before its fix ----------------


def test_markdown_heading_after_front_matter_is_the_title_not_the_body(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ndate: 2022-03-01\n---\n# Dam plan approved\n\nThe council approved the dam.\n")
    (tmp_path / "b.md").write_text("---\ntitle: Dam plan approved\n---\n\n# Dam plan approved\nThe council approved it.\n")
    a = read_file(tmp_path / "a.md", tmp_path, MB).articles[0]
    b = read_file(tmp_path / "b.md", tmp_path, MB).articles[0]
    assert (a.title, a.text) == ("Dam plan approved", "The council approved the dam.")
    assert (b.title, b.text) == ("Dam plan approved", "The council approved it.")


def test_a_page_without_article_text_is_refused(tmp_path: Path) -> None:
    (tmp_path / "home.html").write_text(
        "<html><head><title>Home</title></head><body><nav><a href='/world'>World</a></nav>"
        "<div class='banner'><p>We use cookies.</p><button>Accept</button></div>"
        "<footer>© 2022 Daily Example</footer></body></html>"
    )
    with pytest.raises(ArticleReadError, match="no article text"):
        read_file(tmp_path / "home.html", tmp_path, MB)


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_deeply_nested_json_is_one_bad_file_not_a_crash(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ArticleReadError, match="nested too deeply"):
        read_file(path, tmp_path, 20 * MB)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"title": ["List", "title"], "text": "Body."}, "'title' must be text"),
        ({"id": True, "title": "T", "text": "Body."}, "'id' must be a string or a whole number"),
        ({"title": "T", "text": "Body.", "url": 7}, "'url' must be text"),
        ({"title": "T", "text": "Body.", "source": {"name": "x"}}, "'source' must be text"),
    ],
)
def test_export_fields_of_the_wrong_type_are_reported(tmp_path: Path, record: dict[str, object], reason: str) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"title": "Good", "text": "Kept."}) + "\n" + json.dumps(record) + "\n")
    result = read_file(path, tmp_path, MB)
    assert [a.title for a in result.articles] == ["Good"]
    assert [e.where for e in result.errors] == ["line 2"]
    assert reason in result.errors[0].reason


@pytest.mark.parametrize(
    ("published", "warning"),
    [
        (12345, "not a plausible Unix timestamp"),
        ("yesterday", "not a date"),
        ("2099-01-01", "in the future"),
        ("next Tuesday", "not a date"),
    ],
)
def test_unusable_dates_are_reported_and_the_article_is_stored_undated(
    tmp_path: Path, published: object, warning: str
) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"title": "T", "text": "Body.", "published": published}]))
    result = read_file(path, tmp_path, MB)
    [article] = result.articles
    assert article.published is None
    assert [w.where for w in result.warnings] == ["item 1"]
    assert warning in result.warnings[0].reason


def test_plausible_timestamps_and_dates_are_read(tmp_path: Path) -> None:
    records = [
        {"title": "Seconds", "text": "A.", "published": 1656000000},
        {"title": "Millis", "text": "B.", "published": 1656000000000},
        {"title": "Text", "text": "C.", "date": "June 23, 2022"},
    ]
    (tmp_path / "e.json").write_text(json.dumps(records))
    result = read_file(tmp_path / "e.json", tmp_path, MB)
    assert [a.published for a in result.articles] == [date(2022, 6, 23)] * 3
    assert result.warnings == []


def test_undated_articles_are_available_from_their_files_modification_day(tmp_path: Path) -> None:
    import os
    from datetime import datetime

    path = tmp_path / "undated.txt"
    path.write_text("Recall widens\nThe carmaker recalled more vehicles.\n")
    stamp = datetime(2022, 8, 20, 12).timestamp()
    os.utime(path, (stamp, stamp))
    [article] = read_file(path, tmp_path, MB).articles
    assert article.published is None
    assert article.received == date(2022, 8, 20)
    assert article.available == date(2022, 8, 20)


# -- issue 21 ------------------------------------------------------------------------------------


def test_a_canonical_url_that_is_the_site_root_is_not_an_article_id(tmp_path: Path) -> None:
    """Item 10: pages calling the home page canonical were one id: only the first was stored."""
    from ingest.records import path_id
    from tests.web_fake import article_page

    stories = {"a.html": ("Quay reopens", "https://www.daily.example/"),
               "b.html": ("Ferry resumes", "https://daily.example/index.html"),
               "c.html": ("Dam approved", "https://daily.example/?p=42")}  # a query names a page
    for name, (title, canonical) in stories.items():
        body = f"{title}: officials said on Tuesday that the work was done and the site is open again to all."
        (tmp_path / name).write_text(article_page(title, body + "\n\n" + body, canonical=canonical))
    a, b, c = (read_file(tmp_path / name, tmp_path, MB).articles[0] for name in stories)
    assert (a.id, a.url, a.source) == (path_id("a.html"), None, "daily.example")
    assert (b.id, b.url, b.source) == (path_id("b.html"), None, "daily.example")
    assert (c.id, c.url) == (url_id("https://daily.example/?p=42"), "https://daily.example/?p=42")


@pytest.mark.parametrize("blank", ["", "\n"])
def test_front_matter_without_its_closing_line_is_read_with_a_warning(tmp_path: Path, blank: str) -> None:
    """Item 15: the article was titled "---"."""
    path = tmp_path / "a.md"
    path.write_text(f"---\ntitle: Port reopens\ndate: 2021-11-30\n{blank}The port reopened on Tuesday.\n")
    result = read_file(path, tmp_path, MB)
    [article] = result.articles
    assert (article.title, article.published, article.text) == (
        "Port reopens", date(2021, 11, 30), "The port reopened on Tuesday.")
    assert [w.reason for w in result.warnings] == [
        "the front matter has no closing '---' line: its fields were read up to line 3 (add the line)"]


def test_a_leading_rule_without_fields_is_not_a_title(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\n\nPort reopens\nThe port reopened on Tuesday.\n")
    result = read_file(path, tmp_path, MB)
    assert (result.articles[0].title, result.articles[0].text) == ("Port reopens", "The port reopened on Tuesday.")
    assert result.warnings == []


def test_a_dropped_link_does_not_name_the_article(tmp_path: Path) -> None:
    """Two files whose only link is `javascript:void(0)` are two articles, each named by its path."""
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(f"---\ntitle: {name}\nurl: javascript:void(0)\n---\nThe port reopened.\n")
    ids = {read_file(tmp_path / name, tmp_path, MB).articles[0].id for name in ("a.md", "b.md")}
    assert len(ids) == 2 and url_id("javascript:void(0)") not in ids
