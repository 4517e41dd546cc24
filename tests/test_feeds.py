"""RSS and Atom feeds become articles: full text from the entry when it has it, else from the
linked page fetched from a fake site on 127.0.0.1. Failures are reported once each, and
nothing good is lost; a second run costs one request per unchanged feed or entry at most."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from index.models import Article
from ingest.feeds import read_feed
from ingest.fetch import Fetcher, FetchPolicy
from ingest.items import Problem, SourceItem
from ingest.records import url_id
from tests.web_fake import HOSTS, NAV_PAGE, FakeWeb, Reply, article_page, fake_web

STORY = ("The council approved the new dam on Tuesday after a debate that lasted most of the night.\n\n"
         "Construction starts in spring and should take three years, the mayor told reporters.")
LONG = " ".join(["Rescue teams reached the flooded villages in the valley on Sunday morning."] * 4)


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with fake_web() as site:
        yield site


def fetcher(cache: Path | None = None, **policy: float) -> Fetcher:
    settings = {"host_delay": 0.0, "backoff": 0.01, **policy}
    return Fetcher(cache, FetchPolicy(**settings, allow_hosts=HOSTS))  # type: ignore[arg-type]


def rss(*items: str, channel_link: str = "https://www.daily.example/") -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Daily</title>'
            f"<link>{channel_link}</link>{''.join(items)}</channel></rss>")


def item(title: str, link: str | None = None, date: str | None = None, content: str | None = None,
         summary: str | None = None) -> str:
    parts = [f"<title>{title}</title>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    if summary:
        parts.append(f"<description>{summary}</description>")
    if content:
        parts.append(f"<content:encoded><![CDATA[{content}]]></content:encoded>")
    return f"<item>{''.join(parts)}</item>"


def split(items: Iterator[SourceItem]) -> tuple[list[Article], list[Problem]]:
    got = list(items)
    return [i for i in got if isinstance(i, Article)], [i for i in got if isinstance(i, Problem)]


def test_full_text_entries_need_no_request_and_others_are_fetched(web: FakeWeb) -> None:
    web.serve("/feed", Reply(body=rss(
        item("Floods reach the valley", web.url("/floods"), "Sun, 06 Mar 2022 09:00:00 +0000",
             content=f"<p>{LONG}</p>"),
        item("Dam approved", web.url("/dam"), "Tue, 08 Mar 2022 18:30:00 -0500", summary="The council voted."),
    ), content_type="application/rss+xml"))
    web.serve("/dam", Reply(body=article_page("Dam approved by council", STORY, published="2022-03-01")))
    with fetcher() as client:
        articles, problems = split(read_feed(web.url("/feed"), client))
    assert problems == []
    floods, dam = articles
    assert (floods.title, floods.text, floods.published) == ("Floods reach the valley", LONG, date(2022, 3, 6))
    assert (floods.id, floods.url, floods.source) == (url_id(web.url("/floods")), web.url("/floods"), "127.0.0.1:" + web.base.rsplit(":", 1)[1])
    # The page's text, the feed's title and date (the date as the publisher wrote it).
    assert (dam.title, dam.published, dam.id) == ("Dam approved", date(2022, 3, 8), url_id(web.url("/dam")))
    assert dam.text.startswith("The council approved the new dam") and "Copyright" not in dam.text
    assert dam.received == date.today() and dam.path is None
    assert web.paths() == ["/robots.txt", "/feed", "/dam"]  # no request for the full-text entry


def test_each_failure_is_reported_once_and_nothing_good_is_lost(web: FakeWeb) -> None:
    web.serve("/feed", Reply(body=rss(
        item("Good one", web.url("/good")),
        item("Server down", web.url("/broken")),
        item("Slow but fine", web.url("/slow")),
        item("Moved", web.url("/moved")),
        item("Only navigation", web.url("/nav")),
        item("From the future", web.url("/future"), "Mon, 01 Jan 2999 10:00:00 +0000"),
        item("Nothing at all"),
        item("A podcast", web.url("/episode.mp3")),
    )))
    web.serve("/good", Reply(body=article_page("Good one", STORY)))
    web.serve("/broken", Reply(500, "oops"))
    web.serve("/slow", Reply(body=article_page("Slow", STORY), delay=5.0), Reply(body=article_page("Slow", STORY)))
    web.serve("/moved", Reply(301, headers={"Location": "/moved-here"}))
    web.serve("/moved-here", Reply(body=article_page("Moved", STORY)))
    web.serve("/nav", Reply(body=NAV_PAGE))
    web.serve("/future", Reply(body=article_page("Future", STORY)))
    web.serve("/episode.mp3", Reply(body=b"ID3\x00\x00", content_type="audio/mpeg"))
    with fetcher(timeout=1.5) as client:
        articles, problems = split(read_feed(web.url("/feed"), client))
    assert [a.title for a in articles] == ["Good one", "Slow but fine", "Moved", "From the future"]
    moved = articles[2]
    assert moved.url == web.url("/moved") and moved.id == url_id(web.url("/moved"))  # the feed's link
    assert articles[3].published is None
    assert [(p.where.removeprefix(web.base), p.kind, p.reason) for p in problems] == [
        ("/broken", "failed", "server error (HTTP 500) (tried 3 times)"),
        ("/nav", "failed", "no article text found in the HTML page (only 5 words of page text: "
                           "a navigation, index or consent page?)"),
        ("/future", "warning", "stored undated: the date 2999-01-01 is in the future"),
        ("/feed (entry 7)", "failed", "the entry has neither article text nor a link"),
        ("/episode.mp3", "skipped", "not an HTML page (audio/mpeg)"),
    ]
    assert len(web.requests_to("/slow")) == 2 and len(web.requests_to("/broken")) == 3


@pytest.mark.parametrize(("body", "reason"), [
    ("<rss><channel><title>Cut sh", "not a readable feed (at line"),
    ("<html><body><p>Just a page</p></body></html>", "not an RSS or Atom feed"),
    ("  \n", "the feed is empty"),
])
def test_a_feed_that_cannot_be_read_is_one_problem(web: FakeWeb, body: str, reason: str) -> None:
    web.serve("/feed", Reply(body=body, content_type="application/rss+xml"))
    with fetcher() as client:
        items = list(read_feed(web.url("/feed"), client))
    assert len(items) == 1 and isinstance(items[0], Problem)
    assert items[0].where == web.url("/feed") and items[0].reason.startswith(reason)


def test_a_broken_feed_keeps_its_readable_entries(tmp_path: Path) -> None:
    path = tmp_path / "cut.rss"
    path.write_text(rss(item("Whole", "https://x.example/1", content=f"<p>{LONG}</p>")).removesuffix("</channel></rss>"))
    articles, problems = split(read_feed(path))
    assert [a.title for a in articles] == ["Whole"]
    assert [(p.kind, p.reason.split(" (")[0]) for p in problems] == [("warning", "the feed is not well-formed")]


def test_an_atom_file_with_full_content_and_relative_links(tmp_path: Path) -> None:
    path = tmp_path / "news.atom"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xml:base="https://www.daily.example/"><title>Daily</title><id>urn:daily</id>'
        "<updated>2022-03-06T09:00:00Z</updated>"
        '<entry><title type="html">Floods &lt;b&gt;reach&lt;/b&gt; the valley</title>'
        '<link href="/2022/03/floods"/><id>urn:1</id><updated>2022-03-06T09:00:00Z</updated>'
        f'<content type="html">&lt;p&gt;{LONG}&lt;/p&gt;</content></entry>'
        '<entry><title>No link, whole text</title><id>urn:2</id><published>2022-03-07</published>'
        f'<content type="text">{LONG}</content></entry>'
        "</feed>"
    )
    articles, problems = split(read_feed(path))
    assert problems == []
    floods, unlinked = articles
    assert (floods.title, floods.url, floods.source) == ("Floods reach the valley", "https://www.daily.example/2022/03/floods", "daily.example")
    assert floods.published == date(2022, 3, 6) and floods.path == str(path.resolve())
    assert floods.received is not None and floods.received <= date.today()
    # No link and no site link in the feed: the feed's title names the source.
    assert (unlinked.url, unlinked.text, unlinked.published, unlinked.source) == (None, LONG, date(2022, 3, 7), "Daily")
    assert unlinked.id == next(a.id for a in split(read_feed(path))[0] if a.url is None)  # stable


def test_a_local_feed_without_a_fetcher_reports_the_entries_it_cannot_complete(tmp_path: Path) -> None:
    path = tmp_path / "teasers.rss"
    path.write_text(rss(item("Teaser", "https://x.example/t", summary="Read more on our site.")))
    articles, problems = split(read_feed(path))
    assert articles == [] and [p.where for p in problems] == ["https://x.example/t"]
    assert "fetching is off" in problems[0].reason


def _clean_site(web: FakeWeb, feed_etag: str, *extra: str) -> None:
    web.serve("/feed", Reply(body=rss(
        item("Full", web.url("/full"), "Sun, 06 Mar 2022 09:00:00 +0000", content=f"<p>{LONG}</p>"),
        item("Dated page", web.url("/dated"), "Tue, 08 Mar 2022 10:00:00 +0000"),
        item("Undated page", web.url("/undated")),
        *extra,
    ), etag=feed_etag))
    web.serve("/dated", Reply(body=article_page("Dated", STORY), etag='"d1"'))
    web.serve("/undated", Reply(body=article_page("Undated", STORY), last_modified="Tue, 08 Mar 2022 10:00:00 GMT"))
    web.serve("/new", Reply(body=article_page("New", STORY)))


def test_unchanged_feeds_and_entries_cost_one_request_at_most(web: FakeWeb, tmp_path: Path) -> None:
    _clean_site(web, '"f1"')
    with fetcher(tmp_path) as client:
        first, problems = split(read_feed(web.url("/feed"), client))
        client.commit()
    assert [a.title for a in first] == ["Full", "Dated page", "Undated page"] and problems == []
    stored = {a.id for a in first}

    web.seen.clear()
    with fetcher(tmp_path) as client:  # nothing changed: the feed's 304 is all it costs
        items = list(read_feed(web.url("/feed"), client, known=stored.__contains__))
        client.commit()
    assert items == [Problem(web.url("/feed"), "unchanged since the last run (not modified): nothing new", "skipped")]
    assert web.paths() == ["/robots.txt", "/feed"]

    web.seen.clear()
    _clean_site(web, '"f2"', item("New", web.url("/new"), "Wed, 09 Mar 2022 10:00:00 +0000"))
    with fetcher(tmp_path) as client:  # a new entry: only it is fetched in full
        articles, problems = split(read_feed(web.url("/feed"), client, known=stored.__contains__))
    assert [a.title for a in articles] == ["Full", "New"]  # the full-text entry costs nothing
    assert [(p.reason, p.count) for p in problems] == [("2 entries unchanged since the last run (not modified)", 2)]
    # The dated page's date did not change: no request; the undated one: one conditional request.
    assert web.paths() == ["/robots.txt", "/feed", "/undated", "/new"]
    assert web.requests_to("/undated")[0].status == 304
    assert web.requests_to("/feed")[0].headers["if-none-match"] == '"f1"'


def test_an_entry_whose_article_is_not_stored_is_fetched_in_full(web: FakeWeb, tmp_path: Path) -> None:
    _clean_site(web, '"f1"')
    with fetcher(tmp_path) as client:
        first, _ = split(read_feed(web.url("/feed"), client))
        client.commit()
    web.seen.clear()
    _clean_site(web, '"f2"')
    lost = url_id(web.url("/dated"))  # e.g. the earlier run stopped before storing it
    with fetcher(tmp_path) as client:
        articles, _ = split(read_feed(web.url("/feed"), client, known=lambda i: i != lost))
    assert [a.title for a in articles] == ["Full", "Dated page"]
    assert "if-none-match" not in web.requests_to("/dated")[0].headers


def test_a_feed_with_a_failed_entry_is_read_in_full_next_run(web: FakeWeb, tmp_path: Path) -> None:
    web.serve("/feed", Reply(body=rss(item("Flaky", web.url("/flaky"))), etag='"f1"'))
    web.serve("/flaky", Reply(503, "busy"), Reply(503, "busy"), Reply(503, "busy"),
              Reply(body=article_page("Flaky", STORY)))
    with fetcher(tmp_path) as client:
        articles, problems = split(read_feed(web.url("/feed"), client))
        client.commit()
    assert articles == [] and [p.reason for p in problems] == ["service unavailable (HTTP 503) (tried 3 times)"]
    with fetcher(tmp_path) as client:
        articles, problems = split(read_feed(web.url("/feed"), client, known=lambda _: False))
    assert [a.title for a in articles] == ["Flaky"] and problems == []
    second_feed_request = web.requests_to("/feed")[1]
    assert "if-none-match" not in second_feed_request.headers and second_feed_request.status == 200
