"""The polite HTTP client, against a fake site on 127.0.0.1: conditional GET across runs,
robots.txt, the per-host delay, retries and their limits, redirects, timeouts, size caps.

Waits go through a fake clock: tests assert on the waits asked for, never on elapsed time."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.errors import FetchError
from ingest.fetch import USER_AGENT, Fetcher, FetchPolicy
from tests.web_fake import HOSTS, FakeWeb, Reply, fake_web

PAGE = "<html><body><p>hello</p></body></html>"


class FakeClock:
    """Time that passes only when the client sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with fake_web() as site:
        yield site


def make_fetcher(cache: Path | None, clock: FakeClock | None = None, **policy: float) -> Fetcher:
    clock = clock or FakeClock()
    return Fetcher(cache, FetchPolicy(**policy, allow_hosts=HOSTS), sleep=clock.sleep, clock=clock.clock)  # type: ignore[arg-type]


def test_a_second_run_sends_the_validators_and_a_304_costs_one_request(web: FakeWeb, tmp_path: Path) -> None:
    web.serve("/a", Reply(body=PAGE, etag='"v1"', last_modified="Mon, 06 Sep 2021 16:45:00 GMT"))
    with make_fetcher(tmp_path) as first:
        got = first.get(web.url("/a"))
        assert (got.status, got.body.decode(), got.content_type, got.requests) == (200, PAGE, "text/html", 1)
        first.commit()
    with make_fetcher(tmp_path) as second:
        again = second.get(web.url("/a"))
        assert again.not_modified and again.body == b"" and again.requests == 1
    first_request, second_request = web.requests_to("/a")
    assert "if-none-match" not in first_request.headers
    assert second_request.headers["if-none-match"] == '"v1"'
    assert second_request.headers["if-modified-since"] == "Mon, 06 Sep 2021 16:45:00 GMT"
    assert second_request.status == 304
    assert first_request.headers["user-agent"] == USER_AGENT


def test_validators_are_kept_only_when_committed(web: FakeWeb, tmp_path: Path) -> None:
    web.serve("/a", Reply(body=PAGE, etag='"v1"'))
    with make_fetcher(tmp_path) as interrupted:
        interrupted.get(web.url("/a"))  # no commit: the articles never made it into the archive
    with make_fetcher(tmp_path) as next_run:
        assert next_run.get(web.url("/a")).status == 200
        assert not next_run.get(web.url("/a"), conditional=False).not_modified
    assert [s.status for s in web.requests_to("/a")] == [200, 200, 200]


def test_an_unchanged_hint_costs_no_request(web: FakeWeb, tmp_path: Path) -> None:
    web.serve("/a", Reply(body=PAGE))  # no validators at all: only the hint tells
    with make_fetcher(tmp_path) as first:
        first.get(web.url("/a"), hint="2024-05-01")
        first.commit()
    with make_fetcher(tmp_path) as second:
        same = second.get(web.url("/a"), hint="2024-05-01")
        assert same.not_modified and same.requests == 0
        assert second.get(web.url("/a"), hint="2024-05-02").status == 200  # changed: fetched
        assert second.get(web.url("/a"), hint="2024-05-01", conditional=False).status == 200
    assert len(web.requests_to("/a")) == 3


def test_robots_txt_is_read_once_per_site_and_obeyed(web: FakeWeb) -> None:
    web.serve("/robots.txt", Reply(body="User-agent: *\nDisallow: /private/\n\nUser-agent: newsdesk\nDisallow: /no-bots\n",
                                   content_type="text/plain"))
    web.serve("/public", Reply(body=PAGE))
    web.serve("/private/x", Reply(body=PAGE))
    with make_fetcher(None) as fetcher:
        fetcher.get(web.url("/public"))
        with pytest.raises(FetchError, match="^disallowed by the site's robots.txt$"):
            fetcher.get(web.url("/no-bots"))
        # Our own group applies to us, not the "*" group: /private/ is open to newsdesk.
        fetcher.get(web.url("/private/x"))
    assert web.paths() == ["/robots.txt", "/public", "/private/x"]


def test_robots_txt_of_the_star_group_applies_when_we_are_not_named(web: FakeWeb) -> None:
    web.serve("/robots.txt", Reply(body="User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n",
                                   content_type="text/plain"))
    web.serve("/public", Reply(body=PAGE))
    with make_fetcher(None) as fetcher:
        fetcher.get(web.url("/public"))
        with pytest.raises(FetchError, match="robots.txt"):
            fetcher.get(web.url("/private/x"))
    assert web.paths() == ["/robots.txt", "/public"]


def test_a_robots_txt_that_cannot_be_read_keeps_the_site_closed_this_run(web: FakeWeb) -> None:
    web.serve("/robots.txt", Reply(503, "down", "text/plain"))
    web.serve("/a", Reply(body=PAGE))
    with make_fetcher(None, retries=0) as fetcher:
        for _ in range(2):
            with pytest.raises(FetchError, match=r"robots.txt could not be read .*HTTP 503.*not fetched this run"):
                fetcher.get(web.url("/a"))
    assert web.paths() == ["/robots.txt"]


def test_no_robots_txt_allows_everything(web: FakeWeb) -> None:
    web.serve("/a", Reply(body=PAGE))
    with make_fetcher(None) as fetcher:
        assert fetcher.get(web.url("/a")).status == 200
    assert web.paths() == ["/robots.txt", "/a"]  # the 404 for robots.txt is asked once


def test_requests_to_one_host_wait_their_turn_and_other_hosts_do_not(web: FakeWeb) -> None:
    web.serve("/a", Reply(body=PAGE))
    clock = FakeClock()
    other = web.base.replace("127.0.0.1", "localhost")  # the same server, another host name
    with make_fetcher(None, clock, host_delay=2.0) as fetcher:
        fetcher.get(web.url("/a"))  # robots.txt first (a 404), then the page: one wait between
        assert clock.sleeps == [2.0]
        clock.now += 0.5  # time passes between two pages: only the rest of the delay is waited
        fetcher.get(web.url("/a"))
        assert clock.sleeps == [2.0, 1.5]
        fetcher.get(other + "/a")  # another host: its robots.txt goes at once, then one wait
        assert clock.sleeps == [2.0, 1.5, 2.0]
        clock.now += 5  # longer than the delay: no wait at all
        fetcher.get(web.url("/a"))
        assert clock.sleeps == [2.0, 1.5, 2.0]
    assert [s.path for s in web.seen] == ["/robots.txt", "/a", "/a", "/robots.txt", "/a", "/a"]


def test_a_robots_crawl_delay_longer_than_ours_is_honoured(web: FakeWeb) -> None:
    web.serve("/robots.txt", Reply(body="User-agent: *\nCrawl-delay: 7\n", content_type="text/plain"))
    web.serve("/a", Reply(body=PAGE))
    clock = FakeClock()
    with make_fetcher(None, clock, host_delay=1.0) as fetcher:
        fetcher.get(web.url("/a"))
        fetcher.get(web.url("/a"))
    assert clock.sleeps == [7.0, 7.0]


def test_a_server_error_is_retried_with_backoff_then_succeeds(web: FakeWeb) -> None:
    web.serve("/a", Reply(500, "oops"), Reply(502, "oops"), Reply(body=PAGE))
    clock = FakeClock()
    with make_fetcher(None, clock, host_delay=0.0, backoff=0.25) as fetcher:
        got = fetcher.get(web.url("/a"))
    assert got.status == 200 and got.requests == 3
    assert clock.sleeps == [0.25, 0.5]  # exponential
    assert [s.status for s in web.requests_to("/a")] == [500, 502, 200]


def test_retries_are_bounded_and_the_reason_is_one_line(web: FakeWeb) -> None:
    web.serve("/a", Reply(500, "oops"))
    with make_fetcher(None, host_delay=0.0) as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.get(web.url("/a"))
    assert str(caught.value) == "server error (HTTP 500) (tried 3 times)"
    assert len(web.requests_to("/a")) == 3


@pytest.mark.parametrize(("status", "reason"), [(404, "not found (HTTP 404)"), (403, "access refused (HTTP 403)"),
                                                (410, "gone (HTTP 410)")])
def test_a_client_error_is_never_retried(web: FakeWeb, status: int, reason: str) -> None:
    web.serve("/a", Reply(status, "no"))
    with make_fetcher(None) as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.get(web.url("/a"))
    assert str(caught.value) == reason
    assert len(web.requests_to("/a")) == 1


def test_too_many_requests_waits_as_long_as_retry_after_says(web: FakeWeb) -> None:
    web.serve("/a", Reply(429, "slow down", headers={"Retry-After": "3"}), Reply(body=PAGE))
    web.serve("/b", Reply(429, "go away", headers={"Retry-After": "86400"}))
    clock = FakeClock()
    with make_fetcher(None, clock, host_delay=0.0, backoff=0.25) as fetcher:
        assert fetcher.get(web.url("/a")).status == 200
        assert clock.sleeps == [3.0]
        with pytest.raises(FetchError, match=r"too many requests \(HTTP 429\); the site asks to wait 86400 s"):
            fetcher.get(web.url("/b"))
    assert [s.status for s in web.requests_to("/a")] == [429, 200]
    assert len(web.requests_to("/b")) == 1  # a wait that long is not waited, nor retried


def test_redirects_are_followed_and_bounded(web: FakeWeb) -> None:
    web.serve("/old", Reply(301, headers={"Location": "/new"}))
    web.serve("/new", Reply(body=PAGE))
    web.serve("/loop", Reply(302, headers={"Location": "/loop"}))
    web.serve("/gone", Reply(302, headers={"Location": "/nowhere"}))
    with make_fetcher(None, host_delay=0.0) as fetcher:
        got = fetcher.get(web.url("/old"))
        assert (got.url, got.final_url, got.body.decode()) == (web.url("/old"), web.url("/new"), PAGE)
        with pytest.raises(FetchError, match="more than 5 redirects"):
            fetcher.get(web.url("/loop"))
        with pytest.raises(FetchError, match=r"not found \(HTTP 404\) \(redirected to .*/nowhere\)"):
            fetcher.get(web.url("/gone"))
    assert len(web.requests_to("/loop")) == 6


def test_a_slow_server_is_retried_and_a_silent_one_is_one_reason(web: FakeWeb) -> None:
    web.serve("/slow-once", Reply(body=PAGE, delay=5.0), Reply(body=PAGE))
    web.serve("/silent", Reply(body=PAGE, delay=5.0))
    with make_fetcher(None, host_delay=0.0, timeout=1.5) as fetcher:
        got = fetcher.get(web.url("/slow-once"))
        assert got.status == 200 and got.requests == 2
    with make_fetcher(None, host_delay=0.0, timeout=1.5, retries=0) as fetcher:
        with pytest.raises(FetchError, match=r"^no answer within 1.5 s$"):
            fetcher.get(web.url("/silent"))
    assert len(web.requests_to("/silent")) == 1


def test_a_response_above_the_size_limit_is_refused_not_held(web: FakeWeb) -> None:
    web.serve("/big", Reply(body="x" * 5000))
    with make_fetcher(None, max_bytes=1000) as fetcher:
        with pytest.raises(FetchError, match=r"above the 0.001 MB limit"):
            fetcher.get(web.url("/big"))
        assert fetcher.get(web.url("/big"), max_bytes=10_000).body == b"x" * 5000
    assert len(web.requests_to("/big")) == 2  # never retried


def test_no_server_at_all_is_a_clear_reason_after_the_retries() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = FakeClock()
    with make_fetcher(None, clock, host_delay=0.0, backoff=0.1) as fetcher:
        with pytest.raises(FetchError, match=r"robots.txt could not be read \(could not connect.*\(tried 3 times\)\)"):
            fetcher.get(f"http://127.0.0.1:{port}/a")
    assert clock.sleeps == [0.1, 0.2]


def test_only_http_urls_are_fetched() -> None:
    with make_fetcher(None) as fetcher:
        with pytest.raises(FetchError, match="not an http"):
            fetcher.get("file:///etc/passwd")
