"""Which hosts the fetcher may reach: public addresses only, after DNS and after every redirect,
unless the user allows a host (`--allow-host`, NEWSDESK_INGEST_ALLOW_HOSTS). A feed that links
to http://127.0.0.1:PORT/secret.html must not put that page in the archive.

Nothing here leaves 127.0.0.1: names resolve through the fetcher's resolver seam (or are
`localhost`), and an address that would be public is only ever checked, never connected to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.settings import load_settings
from index.errors import UserInputError
from ingest.addresses import AllowList, address_problem
from ingest.errors import FetchError
from ingest.fetch import Fetcher, FetchPolicy
from tests.conftest import REPO
from tests.web_fake import FakeWeb, Reply, article_page, fake_web

PAGE = article_page("Pay review", "The board set the director's salary at 240,000 a year.\n\n"
                                  "The figure is reviewed every April by the pay committee.")


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with fake_web() as site:
        yield site


class Resolver:
    """Names to addresses, as a DNS server would answer (an address is itself); every question
    is recorded."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.answers[host] if host in self.answers else [str(ip_address(host))]


def fetcher(*allow: str, resolve: Resolver | None = None) -> Fetcher:
    policy = FetchPolicy(host_delay=0.0, retries=0, allow_hosts=allow)
    return Fetcher(None, policy, resolve=resolve) if resolve else Fetcher(None, policy)


def test_a_loopback_address_is_refused_before_anything_is_sent(web: FakeWeb) -> None:
    web.serve("/secret.html", Reply(body=PAGE))
    with Fetcher(None, FetchPolicy(host_delay=0.0)) as client:
        with pytest.raises(FetchError, match=r"127\.0\.0\.1 is a loopback address.*--allow-host"):
            client.get(web.url("/secret.html"))
    assert web.paths() == []  # not even robots.txt


def test_an_allowed_address_is_fetched(web: FakeWeb) -> None:
    web.serve("/secret.html", Reply(body=PAGE))
    with fetcher("127.0.0.1") as client:
        assert client.get(web.url("/secret.html")).status == 200
    with fetcher("127.0.0.0/8") as client:  # a network
        assert client.get(web.url("/secret.html")).status == 200


def test_a_name_is_checked_by_the_addresses_it_resolves_to(web: FakeWeb) -> None:
    web.serve("/a", Reply(body=PAGE))
    local = web.base.replace("127.0.0.1", "localhost")
    with fetcher() as client:
        with pytest.raises(FetchError, match=r"localhost resolves to 127\.0\.0\.1, a loopback address"):
            client.get(local + "/a")
    with fetcher("LocalHost") as client:  # allowed by name, whatever it resolves to
        assert client.get(local + "/a").status == 200
    with fetcher("localhost") as client:  # a name allowed is that name only
        with pytest.raises(FetchError, match="loopback"):
            client.get(web.url("/a"))


def test_every_address_of_a_name_must_be_public() -> None:
    resolve = Resolver({"news.example": ["93.184.215.14", "10.0.0.7"]})
    with fetcher(resolve=resolve) as client, pytest.raises(FetchError, match=r"10\.0\.0\.7, a private address"):
        client.get("http://news.example/story")
    assert resolve.asked == ["news.example"]


def test_the_connection_goes_to_the_address_that_was_checked(web: FakeWeb) -> None:
    """`news.example` exists only in the resolver seam: the page is fetched from the address the
    guard resolved and checked, never from a second look-up (DNS rebinding)."""
    port = web.base.rsplit(":", 1)[1]
    web.serve("/story", Reply(body=PAGE))
    resolve = Resolver({"news.example": ["127.0.0.1"]})
    with fetcher("127.0.0.1/32", resolve=resolve) as client:
        assert client.get(f"http://news.example:{port}/story").body.decode() == PAGE
    assert {request.headers["host"] for request in web.seen} == {f"news.example:{port}"}
    assert set(resolve.asked) == {"news.example"}


def test_a_redirect_to_a_private_address_is_refused(web: FakeWeb) -> None:
    port = web.base.rsplit(":", 1)[1]
    web.serve("/go", Reply(302, headers={"Location": f"http://127.0.0.1:{port}/secret.html"}))
    web.serve("/secret.html", Reply(body=PAGE))
    resolve = Resolver({"news.example": ["127.0.0.1"]})
    with fetcher("news.example", resolve=resolve) as client:
        with pytest.raises(FetchError, match=r"127\.0\.0\.1 is a loopback address"):
            client.get(f"http://news.example:{port}/go")
    assert web.requests_to("/secret.html") == []


@pytest.mark.parametrize(("address", "problem"), [
    ("93.184.215.14", None),
    ("2606:4700:4700::1111", None),
    ("127.0.0.1", "a loopback address"),
    ("127.8.9.10", "a loopback address"),
    ("::1", "a loopback address"),
    ("::ffff:127.0.0.1", "a loopback address"),  # IPv4-mapped IPv6
    ("10.1.2.3", "a private address"),
    ("172.16.0.1", "a private address"),
    ("192.168.1.20", "a private address"),
    ("fd12:3456::1", "a private address"),
    ("::ffff:192.168.0.1", "a private address"),
    ("169.254.169.254", "a cloud metadata address"),
    ("fd00:ec2::254", "a cloud metadata address"),
    ("169.254.10.1", "a link-local address"),
    ("fe80::1", "a link-local address"),
    ("0.0.0.0", "an unspecified address"),
    ("::", "an unspecified address"),
    ("100.64.0.1", "a shared (carrier-grade NAT) address"),
    ("224.0.0.251", "a multicast address"),
    ("ff02::1", "a multicast address"),
    ("240.0.0.1", "a reserved address"),
    ("255.255.255.255", "a broadcast address"),
    ("2002:7f00:1::", "a loopback address"),  # 6to4 of 127.0.0.1
    ("64:ff9b::a00:1", "a private address"),  # NAT64 of 10.0.0.1
    ("192.0.2.1", "a documentation address"),
])
def test_address_kinds(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


def test_the_allow_list_takes_names_addresses_and_networks() -> None:
    allow = AllowList.parse(["Intranet.Example.", " 10.0.0.0/8 ", "192.168.1.5", "fd00::/8", ""])
    assert allow.allows("intranet.example", "192.168.7.7")
    assert allow.allows("wiki", "10.20.30.40") and allow.allows("x", "192.168.1.5")
    assert allow.allows("x", "fd00::1") and not allow.allows("x", "192.168.1.6")
    for bad in ("10.0.0.0/33", "http://intranet.example/", "intranet example", "*.example"):
        with pytest.raises(ValueError, match="allow"):
            AllowList.parse([bad])


def test_the_setting_is_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_INGEST_ALLOW_HOSTS", "127.0.0.1, wiki.internal")
    assert load_settings().ingest.fetch_policy().allow_hosts == ("127.0.0.1", "wiki.internal")
    monkeypatch.setenv("NEWSDESK_INGEST_ALLOW_HOSTS", "10.0.0.0/33")
    with pytest.raises(UserInputError, match="NEWSDESK_INGEST_ALLOW_HOSTS"):
        load_settings()


def test_a_feed_linking_to_an_internal_page_does_not_store_it(tmp_path: Path, web: FakeWeb) -> None:
    """The report's case: an RSS item linking to http://127.0.0.1:PORT/secret.html."""
    web.serve("/secret.html", Reply(body=PAGE))
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Daily</title>'
                    f"<item><title>Pay</title><link>{web.url('/secret.html')}</link></item></channel></rss>")
    env = {"NEWSDESK_INGEST_FETCH_DELAY": "0"}
    home = str(tmp_path / "home")
    done = CliRunner().invoke(app, ["ingest", str(feed), "--json", "--data-dir", home], env=env)
    report = json.loads(done.stdout)
    assert done.exit_code == 1 and report["added"] == 0
    [failure] = report["failed"]
    assert failure["path"] == web.url("/secret.html")
    assert "loopback" in failure["error"] and "--allow-host" in failure["error"]
    assert web.paths() == []

    done = CliRunner().invoke(app, ["ingest", str(feed), "--allow-host", "127.0.0.1", "--json",
                                    "--data-dir", home], env=env)
    assert (done.exit_code, json.loads(done.stdout)["added"]) == (0, 1)
    assert web.paths() == ["/robots.txt", "/secret.html"]


def test_a_bad_allow_host_option_is_one_clear_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", str(tmp_path), "--allow-host", "10.0.0.0/33",
                           "--data-dir", str(tmp_path / "home")], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "300"}, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ("error: --allow-host: cannot allow '10.0.0.0/33': give a host name, an IP "
                                   "address or a network such as 10.0.0.0/8")
