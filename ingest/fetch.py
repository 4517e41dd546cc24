"""A polite HTTP client for feeds, sitemaps and the pages they point to.

Safety first: only http(s) URLs are fetched, and only from public addresses or hosts the user
allows (`allow_hosts`), checked after DNS and at every redirect (`ingest.addresses`).

Politeness, in the order a request meets it:

- robots.txt is read once per site and run, with our user agent (RFC 9309: a robots.txt that
  is missing or refused (4xx) allows everything; one that cannot be read (5xx, no connection)
  allows nothing this run). Its Crawl-delay, when longer than ours, is honoured (capped).
- One request at a time per host, `host_delay` seconds apart (retries and redirects included).
- Conditional GET: ETag and Last-Modified of earlier runs are sent as If-None-Match and
  If-Modified-Since; a 304 costs one request and yields nothing new. A caller's `hint` (a
  sitemap's lastmod, a feed entry's date) that has not changed since the last fetch costs none.
- Retries with exponential backoff on connection errors, timeouts, 429 (honouring Retry-After)
  and 5xx, `retries` times at most; never for another 4xx.
- Redirects are followed (at most `max_redirects`), each hop checked against robots.txt.
- A response is read in pieces and abandoned past `max_bytes`, so a huge page never sits in
  memory whole.

Every failure raises FetchError whose message is the reason alone, for the caller to report
once with the URL.

Validators are staged in memory and written to `<cache_dir>/http-cache.sqlite3` only by
`commit()`. Call it once the run's articles are stored: after an interrupted or failed run the
next one fetches everything again instead of being told "not modified" about articles that
never made it into the archive.
"""

from __future__ import annotations

import contextlib
import email.utils
import importlib.metadata
import time
import urllib.robotparser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from ingest.addresses import AllowList, GuardedTransport, HostGuard, Resolver, resolve_host
from ingest.errors import AddressRefused, FetchError
from ingest.validators import ValidatorCache, Validators


def _version() -> str:
    try:
        return importlib.metadata.version("newsdesk")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


PROJECT_URL = "https://github.com/newsdesk/newsdesk"
USER_AGENT = f"newsdesk/{_version()} (+{PROJECT_URL})"
CACHE_FILE = "http-cache.sqlite3"
MB = 1_000_000
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str = USER_AGENT
    timeout: float = 20.0  # seconds to connect, and at most between two pieces of a response
    total_timeout: float = 120.0  # seconds for one whole response
    retries: int = 2  # after the first try
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_retry_after: float = 120.0  # a longer Retry-After is a failure, not a wait
    host_delay: float = 1.0  # seconds between two requests to one host
    max_crawl_delay: float = 30.0  # a robots.txt Crawl-delay is honoured up to this
    max_bytes: int = 20 * MB  # per response, after decompression
    max_redirects: int = 5
    robots_max_bytes: int = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
    allow_hosts: tuple[str, ...] = ()  # reached though not public: names, addresses, networks


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int  # a 2xx, or 304 when the page has not changed (then `body` is empty)
    body: bytes
    content_type: str  # media type without parameters, lower case ("" when not sent)
    requests: int  # HTTP requests this took (robots.txt not counted); 0 when a hint said unchanged

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Robots:
    parser: urllib.robotparser.RobotFileParser | None  # None: everything allowed
    refused: str | None = None  # why nothing is allowed on this site this run
    delay: float = 0.0


class Fetcher:
    """One per run. `get` is safe to call from one thread at a time."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        policy: FetchPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        resolve: Resolver = resolve_host,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self.validators = ValidatorCache(cache_dir / CACHE_FILE if cache_dir is not None else None)
        self.requests = 0  # every HTTP request sent, robots.txt included
        self._sleep = sleep
        self._clock = clock
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.policy.timeout),
            headers={"User-Agent": self.policy.user_agent},
            follow_redirects=False,  # followed here, so that robots.txt and the delay apply
            transport=GuardedTransport(HostGuard(AllowList.parse(self.policy.allow_hosts), resolve)),
        )
        self._robots: dict[str, _Robots] = {}
        self._last_request: dict[str, float] = {}
        self._memo: Fetched | None = None  # the last document sniffed by source_kind

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connections; staged validators not committed are dropped."""
        self._client.close()
        self.validators.close()

    def commit(self) -> None:
        """Remember this run's validators for the next run (call once the articles are stored)."""
        self.validators.commit()

    def forget(self, url: str) -> None:
        """Fetch `url` in full next run (e.g. a feed some of whose entries failed)."""
        self.validators.stage(url, None)

    def get(self, url: str, *, conditional: bool = True, hint: str | None = None,
            max_bytes: int | None = None, keep: bool = False) -> Fetched:
        """GET `url`, politely. With `conditional`, validators from earlier runs are sent and a
        304 comes back as `not_modified`; an unchanged `hint` answers without a request. `keep`
        holds the response for the next `get` of the same URL (sniffing, then reading)."""
        memo, self._memo = self._memo, None
        if memo is not None and memo.url == url:
            self._memo = memo if keep else None  # kept until a reader takes it
            return memo
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError("not an http(s) URL")
        stored = self.validators.get(url) if conditional else None
        if stored is not None and hint is not None and stored.hint == hint:
            return Fetched(url, url, 304, b"", "", 0)
        headers: dict[str, str] = {}
        if stored is not None and stored.etag:
            headers["If-None-Match"] = stored.etag
        if stored is not None and stored.last_modified:
            headers["If-Modified-Since"] = stored.last_modified
        fetched, response_headers = self._follow(url, headers, max_bytes or self.policy.max_bytes)
        if fetched.status != 304:
            self.validators.stage(url, Validators(
                response_headers.get("etag"), response_headers.get("last-modified"), hint))
        elif hint is not None and stored is not None:  # not modified: remember the new hint too
            self.validators.stage(url, Validators(stored.etag, stored.last_modified, hint))
        if keep:
            self._memo = fetched
        return fetched

    # -- the request, hop by hop -------------------------------------------------------------

    def _follow(self, url: str, headers: dict[str, str], max_bytes: int) -> tuple[Fetched, Mapping[str, str]]:
        current, requests = url, 0
        for _ in range(self.policy.max_redirects + 1):
            self._check_robots(current)
            status, response_headers, body, tries = self._with_retries(current, headers, max_bytes)
            requests += tries
            if status in REDIRECTS and response_headers.get("location"):
                current = urljoin(current, response_headers["location"])
                if urlsplit(current).scheme not in ("http", "https"):
                    raise FetchError(f"redirected to a non-http(s) URL ({current[:80]})")
                continue
            if status == 304 or 200 <= status < 300:
                media = response_headers.get("content-type", "").split(";")[0].strip().lower()
                return Fetched(url, current, status, body, media, requests), response_headers
            where = f" (redirected to {current})" if current != url else ""
            raise FetchError(f"{_status_reason(status)}{where}")
        raise FetchError(f"more than {self.policy.max_redirects} redirects")

    def _with_retries(self, url: str, headers: dict[str, str], max_bytes: int,
                      truncate: bool = False) -> tuple[int, Mapping[str, str], bytes, int]:
        policy = self.policy
        for attempt in range(policy.retries + 1):
            self._wait_turn(url)
            try:
                status, response_headers, body = self._send(url, headers, max_bytes, truncate)
            except httpx.InvalidURL as exc:
                raise FetchError(f"not a valid URL ({exc})") from None
            except httpx.RequestError as exc:
                reason, wait = _transport_reason(exc, policy), policy.backoff * 2**attempt
                if not isinstance(exc, httpx.TransportError) or isinstance(exc, httpx.UnsupportedProtocol):
                    raise FetchError(reason) from None  # the same again would fail the same way
            else:
                if status != 429 and status < 500:
                    return status, response_headers, body, attempt + 1
                reason, wait = _status_reason(status), policy.backoff * 2**attempt
                asked = _retry_after(response_headers.get("retry-after"))
                if asked is not None:
                    if asked > policy.max_retry_after:
                        raise FetchError(f"{reason}; the site asks to wait {asked:.0f} s, "
                                         f"more than the {policy.max_retry_after:.0f} s newsdesk waits")
                    wait = max(wait, asked)
            if attempt == policy.retries:
                tries = f" (tried {attempt + 1} times)" if attempt else ""
                raise FetchError(f"{reason}{tries}")
            self._sleep(wait)
        raise AssertionError("unreachable")

    def _send(self, url: str, headers: dict[str, str], max_bytes: int,
              truncate: bool) -> tuple[int, Mapping[str, str], bytes]:
        """One request; with `truncate`, a response above `max_bytes` is cut there, not refused."""
        self.requests += 1
        deadline = time.monotonic() + self.policy.total_timeout
        with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if not 200 <= status < 300:
                return status, response.headers, b""  # the body of an error is never read
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes and not truncate:
                raise FetchError(_too_large(int(declared), max_bytes))
            pieces, size = [], 0
            for piece in response.iter_bytes():  # decompressed, so the cap is on the real size
                if size + len(piece) > max_bytes:
                    if truncate:
                        pieces.append(piece[: max_bytes - size])
                        break
                    raise FetchError(_too_large(size + len(piece), max_bytes, at_least=True))
                size += len(piece)
                if time.monotonic() > deadline:
                    raise FetchError(f"the response took longer than {self.policy.total_timeout:.0f} s")
                pieces.append(piece)
            return status, response.headers, b"".join(pieces)

    def _wait_turn(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        robots = self._robots.get(_origin(url))
        delay = max(self.policy.host_delay, robots.delay if robots else 0.0)
        last = self._last_request.get(host)
        if last is not None:
            wait = last + delay - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = self._clock()

    # -- robots.txt ----------------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        origin = _origin(url)
        robots = self._robots.get(origin)
        if robots is None:
            robots = self._robots[origin] = self._read_robots(origin)
        if robots.refused:
            raise FetchError(robots.refused)
        if robots.parser is not None and not robots.parser.can_fetch(self.policy.user_agent, url):
            raise FetchError("disallowed by the site's robots.txt")

    def _read_robots(self, origin: str) -> _Robots:
        url = f"{origin}/robots.txt"
        try:
            for _ in range(self.policy.max_redirects + 1):
                status, headers, body, _tries = self._with_retries(
                    url, {}, self.policy.robots_max_bytes, truncate=True)  # RFC 9309: the first 500 KiB
                if status in REDIRECTS and headers.get("location"):
                    url = urljoin(url, headers["location"])
                    continue
                break
        except AddressRefused:
            raise  # said as it is, not as a robots.txt that could not be read
        except FetchError as exc:
            return _Robots(None, f"robots.txt could not be read ({exc}): the site is not fetched this run")
        if 400 <= status < 500:
            return _Robots(None)  # no robots.txt: everything is allowed
        if not 200 <= status < 300:
            return _Robots(None, f"robots.txt could not be read ({_status_reason(status)}): "
                                 "the site is not fetched this run")
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.policy.user_agent)
        return _Robots(parser, delay=min(float(delay or 0), self.policy.max_crawl_delay))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _status_reason(status: int) -> str:
    names = {304: "not modified", 400: "bad request", 401: "login required", 403: "access refused",
             404: "not found", 410: "gone", 429: "too many requests", 500: "server error",
             502: "bad gateway", 503: "service unavailable", 504: "gateway timeout"}
    name = names.get(status) or ("server error" if status >= 500 else "refused")
    return f"{name} (HTTP {status})"


def _transport_reason(exc: httpx.RequestError, policy: FetchPolicy) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect within {policy.timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {policy.timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({exc})" if str(exc) else "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server broke off the connection"
    if isinstance(exc, httpx.DecodingError):
        return "the response is not validly compressed"
    return f"network error ({type(exc).__name__}: {exc})"


def _too_large(size: int, limit: int, at_least: bool = False) -> str:
    return f"response is {'over ' if at_least else ''}{size / MB:.1f} MB, above the {limit / MB:g} MB limit"


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    with contextlib.suppress(TypeError, ValueError, IndexError):
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return None
