"""Sitemaps, sitemap indexes and Google News sitemaps: the pages they list become articles,
fetched from a fake site on 127.0.0.1; lastmod saves requests on the next run."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from index.models import Article
from ingest.fetch import Fetcher, FetchPolicy
from ingest.items import Problem, SourceItem
from ingest.records import url_id
from ingest.sitemaps import read_sitemap
from tests.web_fake import HOSTS, NAV_PAGE, FakeWeb, Reply, article_page, fake_web

STORY = ("The harbour reopened on Friday after three weeks of repairs to the storm-damaged pier.\n\n"
         "Fishing boats returned within hours, and the ferry timetable resumes on Monday.")
NS = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
      'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
      'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"')


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with fake_web() as site:
        yield site


def fetcher(cache: Path | None = None) -> Fetcher:
    return Fetcher(cache, FetchPolicy(host_delay=0.0, backoff=0.01, allow_hosts=HOSTS))


def urlset(*urls: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{"".join(urls)}</urlset>'


def url(loc: str, lastmod: str | None = None, news: tuple[str, str] | None = None) -> str:
    parts = [f"<loc>{loc}</loc>"]
    if lastmod:
        parts.append(f"<lastmod>{lastmod}</lastmod>")
    parts.append("<image:image><image:loc>https://img.example/1.jpg</image:loc></image:image>")
    if news:
        parts.append("<news:news><news:publication><news:name>Daily</news:name><news:language>en</news:language>"
                     f"</news:publication><news:publication_date>{news[1]}</news:publication_date>"
                     f"<news:title>{news[0]}</news:title></news:news>")
    return f"<url>{''.join(parts)}</url>"


def index(*sitemaps: tuple[str, str | None]) -> str:
    entries = "".join(f"<sitemap><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</sitemap>"
                      for loc, mod in sitemaps)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>{entries}</sitemapindex>'


def split(items: Iterator[SourceItem]) -> tuple[list[Article], list[Problem]]:
    got = list(items)
    return [i for i in got if isinstance(i, Article)], [i for i in got if isinstance(i, Problem)]


def serve_site(web: FakeWeb) -> None:
    web.serve("/sitemap.xml", Reply(body=index(
        (web.url("/news-sitemap.xml"), "2024-05-02"),
        (web.url("/pages.xml.gz"), None),
        (web.url("/sitemap.xml"), None),  # a loop
        (web.url("/more-index.xml"), None),
    ), content_type="application/xml"))
    web.serve("/news-sitemap.xml", Reply(body=urlset(
        url(web.url("/harbour"), "2024-05-02T10:00:00Z", ("Harbour reopens after repairs", "2024-05-01T08:00:00+02:00")),
    ), content_type="application/xml"))
    web.serve("/pages.xml.gz", Reply(body=gzip.compress(urlset(
        url(web.url("/pier"), "2024-04-01"),
        url(web.url("/tag/harbour"), "2024-04-01"),
        url(web.url("/missing"), "2024-04-01"),
    ).encode()), content_type="application/gzip", etag='"p1"'))
    web.serve("/more-index.xml", Reply(body=index((web.url("/deeper-index.xml"), None)), content_type="application/xml"))
    web.serve("/deeper-index.xml", Reply(body=index((web.url("/deepest.xml"), None)), content_type="application/xml"))
    web.serve("/harbour", Reply(body=article_page("Harbour (page title)", STORY, published="2024-04-30")))
    web.serve("/pier", Reply(body=article_page("Pier repaired", STORY, published="2024-03-30")))
    web.serve("/tag/harbour", Reply(body=NAV_PAGE))


def test_an_index_with_a_news_sitemap_and_a_gzipped_sitemap(web: FakeWeb) -> None:
    serve_site(web)
    with fetcher() as client:
        articles, problems = split(read_sitemap(web.url("/sitemap.xml"), client, max_depth=2))
    harbour, pier = articles
    # The news sitemap's title and publication date win over the page's own.
    assert (harbour.title, harbour.published, harbour.url) == ("Harbour reopens after repairs", date(2024, 5, 1), web.url("/harbour"))
    assert harbour.id == url_id(web.url("/harbour")) and harbour.text.startswith("The harbour reopened")
    assert (pier.title, pier.published) == ("Pier repaired", date(2024, 3, 30))  # the page's own
    assert [(p.where.removeprefix(web.base), p.kind, p.reason.split(" (")[0]) for p in problems] == [
        ("/tag/harbour", "failed", "no article text found in the HTML page"),
        ("/missing", "failed", "not found"),
        ("/sitemap.xml", "skipped", "1 sitemap listed twice"),
        ("/sitemap.xml", "skipped", "1 sitemap nested deeper than 2 levels: not read"),
    ]
    assert "/deepest.xml" not in web.paths() and web.paths().count("/sitemap.xml") == 1


def test_a_second_run_fetches_only_what_changed(web: FakeWeb, tmp_path: Path) -> None:
    serve_site(web)
    web.serve("/missing", Reply(body=article_page("Found", STORY)))  # every page is read this time
    with fetcher(tmp_path) as client:
        first, _ = split(read_sitemap(web.url("/sitemap.xml"), client, max_depth=2))
        client.commit()
    stored = {a.id for a in first}
    web.seen.clear()
    with fetcher(tmp_path) as client:
        articles, problems = split(read_sitemap(web.url("/sitemap.xml"), client, known=stored.__contains__, max_depth=2))
    assert articles == []
    # The index is read in full (its sitemaps may change while it does not); the news sitemap's
    # lastmod is unchanged (no request); the gzipped sitemap answers 304 (one request).
    assert web.requests_to("/sitemap.xml")[0].status == 200
    assert "if-none-match" not in web.requests_to("/sitemap.xml")[0].headers
    assert "/news-sitemap.xml" not in web.paths() and "/harbour" not in web.paths()
    assert [s.status for s in web.requests_to("/pages.xml.gz")] == [304]
    assert (f"2 sitemaps unchanged since the last run (not modified) "
            f"(e.g. {web.url('/news-sitemap.xml')}, {web.url('/pages.xml.gz')})") in [p.reason for p in problems]
    assert [p.kind for p in problems] == ["skipped"] * 3  # with the loop and the depth notes


def test_pages_whose_lastmod_is_unchanged_cost_nothing(web: FakeWeb, tmp_path: Path) -> None:
    def serve(lastmod: str) -> None:
        web.serve("/pages.xml", Reply(body=urlset(url(web.url("/pier"), "2024-04-01"), url(web.url("/harbour"), lastmod))))
    serve("2024-04-01")
    web.serve("/pier", Reply(body=article_page("Pier", STORY)))
    web.serve("/harbour", Reply(body=article_page("Harbour", STORY)), Reply(body=article_page("Harbour, updated", STORY)))
    with fetcher(tmp_path) as client:
        first, _ = split(read_sitemap(web.url("/pages.xml"), client))
        client.commit()
    stored = {a.id for a in first}
    serve("2024-04-02")  # the harbour page changed
    with fetcher(tmp_path) as client:
        articles, problems = split(read_sitemap(web.url("/pages.xml"), client, known=stored.__contains__))
    assert [a.title for a in articles] == ["Harbour, updated"]
    assert [p.reason for p in problems] == ["1 page unchanged since the last run (not modified)"]
    assert len(web.requests_to("/pier")) == 1 and len(web.requests_to("/harbour")) == 2


def test_a_sitemap_cut_short_keeps_the_pages_before_the_break(web: FakeWeb, tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_text(urlset(url(web.url("/pier")), url(web.url("/harbour")))[:-40])
    web.serve("/pier", Reply(body=article_page("Pier", STORY)))
    with fetcher() as client:
        articles, problems = split(read_sitemap(path, client))
    assert [a.title for a in articles] == ["Pier"] and articles[0].path == str(path.resolve())
    assert len(problems) == 1 and problems[0].where == str(path)
    assert problems[0].reason.startswith("not well-formed XML") and problems[0].reason.endswith("the 1 entries before it were read")


@pytest.mark.parametrize(("body", "reason"), [
    ('<rss version="2.0"><channel></channel></rss>', "not a sitemap (its root element is <rss>)"),
    ("", "not well-formed XML"),
    ("<html><body>not found</body></html>", "not a sitemap (its root element is <html>)"),
])
def test_a_document_that_is_not_a_sitemap_is_one_problem(web: FakeWeb, body: str, reason: str) -> None:
    web.serve("/sitemap.xml", Reply(body=body, content_type="application/xml"))
    with fetcher() as client:
        items = list(read_sitemap(web.url("/sitemap.xml"), client))
    assert len(items) == 1 and isinstance(items[0], Problem) and items[0].reason.startswith(reason)


def test_entities_are_never_expanded(web: FakeWeb) -> None:
    doctype = '<!DOCTYPE urlset [<!ENTITY x "EXPANDED"><!ENTITY ext SYSTEM "file:///etc/hostname">]>'
    body = urlset(url(web.url("/pier"), news=("Pier &x;&ext;", "2024-04-01"))).replace("?>", "?>" + doctype, 1)
    web.serve("/sitemap.xml", Reply(body=body, content_type="application/xml"))
    web.serve("/pier", Reply(body=article_page("Pier", STORY)))
    with fetcher() as client:
        articles, problems = split(read_sitemap(web.url("/sitemap.xml"), client))
    assert [a.title for a in articles] == ["Pier"] and problems == []


def test_a_billion_laughs_is_one_problem(web: FakeWeb) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i + 1} "{f"&lol{i};" * 10}">' for i in range(9)).replace("&lol0;", "&lol;")
    body = urlset(url(web.url("/pier"), news=("&lol9;", "2024-04-01"))).replace(
        "?>", f"?><!DOCTYPE urlset [{entities}]>", 1)
    web.serve("/sitemap.xml", Reply(body=body, content_type="application/xml"))
    with fetcher() as client:
        items = list(read_sitemap(web.url("/sitemap.xml"), client))
    assert len(items) == 1 and isinstance(items[0], Problem) and "not well-formed XML" in items[0].reason


def test_the_number_of_pages_is_bounded(web: FakeWeb) -> None:
    web.serve("/sitemap.xml", Reply(body=urlset(*(url(web.url(f"/p{i}")) for i in range(5)))))
    for i in range(5):
        web.serve(f"/p{i}", Reply(body=article_page(f"Page {i}", STORY)))
    with fetcher() as client:
        articles, problems = split(read_sitemap(web.url("/sitemap.xml"), client, max_pages=2))
    assert [a.title for a in articles] == ["Page 0", "Page 1"]
    assert [(p.count, p.reason.split(" (")[0]) for p in problems] == [(3, "3 pages beyond the first 2: not read")]
    assert "/p2" not in web.paths()


def test_without_a_fetcher_a_sitemap_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_text(urlset(url("https://x.example/1")))
    assert list(read_sitemap(path, None)) == [Problem(str(path), "a sitemap lists web pages, and fetching is off")]
