"""Which hosts the fetcher may reach: public addresses, and the hosts the user allows.

A feed, a sitemap or a page can name any URL. Fetched blindly, a link to
`http://127.0.0.1:8080/admin`, to a router on 192.168.1.1 or to a cloud's metadata service
(169.254.169.254) would put what only this machine can see into the archive, and answers would
quote it. So every connection the fetcher opens goes through a `HostGuard`:

- the host name is resolved once, and every address it resolves to must be public: loopback,
  private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10), cloud
  metadata, shared (carrier-grade NAT, 100.64/10), multicast, broadcast, documentation, reserved
  and unspecified (0.0.0.0, ::) addresses are refused; an IPv6 address that carries an IPv4 one
  (IPv4-mapped, 6to4, NAT64) is judged by the IPv4 address;
- the connection is opened to an address that was checked, never to a second look-up of the
  name (so a name cannot answer a public address to the check and a private one to the connection);
- the fetcher follows redirects itself, so every hop is a new connection, checked the same way.

A host the user allows (`NEWSDESK_INGEST_ALLOW_HOSTS`, `newsdesk ingest --allow-host`) is reached
whatever it resolves to: by name (`intranet.example`, that name only), by address
(`127.0.0.1`) or by network (`10.0.0.0/8`).

Proxies named in the environment (HTTPS_PROXY, ...) are not used: the address a proxy connects
to cannot be checked here.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import TYPE_CHECKING

import httpcore
import httpx

from ingest.errors import AddressRefused

if TYPE_CHECKING:
    from httpcore import SOCKET_OPTION

# Names to addresses: (host, port) -> addresses as text, in the order to try them.
Resolver = Callable[[str, int], list[str]]
Address = IPv4Address | IPv6Address

_METADATA = {ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")}
_SHARED = ip_network("100.64.0.0/10")  # carrier-grade NAT: not private, not public either
_NAT64 = ip_network("64:ff9b::/96")
_DOCUMENTATION = tuple(ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
                                               "2001:db8::/32"))
_BROADCAST = ip_address("255.255.255.255")
_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_][a-z0-9_-]{0,62})*$")


def address_problem(address: str | Address) -> str | None:
    """What keeps `address` from being fetched ("a loopback address"); None for a public one."""
    ip = _unwrapped(ip_address(address) if isinstance(address, str) else address)
    checks: list[tuple[bool, str]] = [
        (ip in _METADATA, "a cloud metadata address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip == _BROADCAST, "a broadcast address"),
        (ip in _SHARED, "a shared (carrier-grade NAT) address"),
        (any(ip in network for network in _DOCUMENTATION), "a documentation address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "not a public address"),
    ]
    return next((problem for found, problem in checks if found), None)


def _unwrapped(ip: Address) -> Address:
    """The IPv4 address an IPv6 one carries (IPv4-mapped, 6to4, NAT64), else `ip` itself."""
    if isinstance(ip, IPv4Address):
        return ip
    if ip in _NAT64:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.ipv4_mapped or ip.sixtofour or ip


@dataclass(frozen=True)
class AllowList:
    """Hosts reached whatever they resolve to: names, and addresses or networks."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPv4Network | IPv6Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """From `intranet.example`, `127.0.0.1`, `10.0.0.0/8`, `::1`...; a ValueError names a bad entry."""
        names: set[str] = set()
        networks: list[IPv4Network | IPv6Network] = []
        for entry in entries:
            text = entry.strip().lower().rstrip(".")
            if not text:
                continue
            try:
                networks.append(ip_network(text.strip("[]"), strict=False))
            except ValueError:
                if not _NAME.match(text):
                    raise ValueError(f"cannot allow '{entry.strip()}': give a host name, an IP address "
                                     "or a network such as 10.0.0.0/8") from None
                names.add(text)
        return cls(frozenset(names), tuple(networks))

    def allows(self, host: str, address: str) -> bool:
        if host.lower().rstrip(".") in self.names:
            return True
        ip = _unwrapped(ip_address(address))
        return any(ip in network for network in self.networks if network.version == ip.version)


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the system's order of preference."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


class HostGuard:
    def __init__(self, allow: AllowList, resolve: Resolver = resolve_host) -> None:
        self.allow = allow
        self._resolve = resolve

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for `host`, each public or allowed; AddressRefused names
        the first that is neither. OSError when the name does not resolve."""
        found = self._resolve(host, port)
        if not found:
            raise OSError(f"{host} resolves to no address")
        for address in found:
            problem = address_problem(address)
            if problem is not None and not self.allow.allows(host, address):
                what = f"{address} is {problem}" if _is_address(host) else f"{host} resolves to {address}, {problem}"
                raise AddressRefused(f"{what}: newsdesk fetches only public addresses (allow this host "
                                     f"with --allow-host {host} or NEWSDESK_INGEST_ALLOW_HOSTS)")
        return found


def _is_address(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport (its streaming, its errors), whose connections are opened only to
    addresses the guard allowed: httpcore's network backend is the seam."""

    def __init__(self, guard: HostGuard) -> None:
        super().__init__()
        # httpx's pool settings with the guarded backend. `_pool` is httpx's own attribute: httpx has
        # no public way to give its pool a network backend (tests/test_fetch_addresses.py notices a
        # change: a name only the test's resolver knows would no longer be fetched).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=100, max_keepalive_connections=20,
            keepalive_expiry=5.0, network_backend=_GuardedBackend(guard))


class _GuardedBackend(httpcore.SyncBackend):
    def __init__(self, guard: HostGuard) -> None:
        super().__init__()
        self._guard = guard

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        try:
            addresses = self._guard.addresses(host, port)
        except OSError as exc:  # the name does not resolve: a connection error, as httpcore's own
            raise httpcore.ConnectError(str(exc)) from exc
        failure: Exception = httpcore.ConnectError(f"{host}: no address to connect to")
        for address in addresses:  # as socket.create_connection does, the next after a failure
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure
