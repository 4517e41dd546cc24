"""Opening Chroma: an embedded PersistentClient, or a server (after a heartbeat that turns "no
server" or "bad token" into one clear line), and connection trouble as a StoreError.

A fresh client (`open_client(..., fresh=True)`) is how a long-running process sees what other
processes wrote: chromadb keeps one embedded store per folder and process, and that store keeps
the vector index it loaded in memory, so rows another process adds later are counted but never
found by a search (measured with chromadb 1.5.9: docs/live-archive.md). A fresh client gets a
store of its own, loaded from disk now, by naming the same folder another way (`<path>/.`,
`<path>/./.`, ...); close it with `close_client` when done, which frees that name again.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeAlias, TypeVar
from urllib.parse import urlparse

from index.errors import StoreError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from index.settings import StoreSettings

Connection: TypeAlias = "ClientAPI"  # what `index.factory` hands out: a client, opaque above index/

_SERVER_TIMEOUT = 10.0  # seconds for the heartbeat; a healthy server answers in milliseconds
# Fresh embedded clients open: (folder, spelling number) by client id.
_fresh: dict[int, tuple[str, int]] = {}
_fresh_lock = threading.Lock()


def open_client(settings: StoreSettings, *, fresh: bool = False) -> ClientAPI:
    """An embedded PersistentClient under the data directory, or an HttpClient when a URL is set.
    `fresh`: an embedded store loaded from disk now, not shared with earlier clients (see above);
    a server client is always fresh."""
    if settings.chroma_url:
        return _open_server(settings.chroma_url, settings.chroma_token)
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path = settings.home / "chroma"
    with _fresh_lock:
        number = _free_spelling(str(path)) if fresh else 0
        try:
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(path) + "/." * number,
                                               settings=ChromaSettings(anonymized_telemetry=False))
        except (OSError, ValueError, RuntimeError) as exc:
            raise StoreError(f"cannot open the Chroma store at {path}: {exc}") from exc
        if number:
            _fresh[id(client)] = (str(path), number)
    return client


def close_client(client: ClientAPI) -> None:
    """Release a client's connections and memory (a fresh embedded one also frees its name).
    Nothing may use it, or its collections, afterwards."""
    with _fresh_lock:
        _fresh.pop(id(client), None)
    close = getattr(client, "close", None)  # chromadb 1.x clients; older ones are left to the GC
    if close is not None:
        close()


def _free_spelling(path: str) -> int:
    """The smallest spelling number (1, 2, ...) no open fresh client of `path` uses."""
    taken = {number for folder, number in _fresh.values() if folder == path}
    return next(n for n in range(1, len(taken) + 2) if n not in taken)


def _open_server(raw_url: str, token: str | None) -> ClientAPI:
    """An HttpClient, after one heartbeat that turns 'no server' or 'bad token' into a clear error."""
    try:
        url = urlparse(raw_url.strip())
        port = url.port or (443 if url.scheme == "https" else 8000)  # a bad port raises here
    except ValueError:  # "http://[::1" (an unclosed IPv6 bracket), "http://host:99999"
        url, port = None, 0
    if url is None or url.scheme not in ("http", "https") or not url.hostname:
        raise StoreError(f"NEWSDESK_CHROMA_URL must look like http://host:port, not '{raw_url}'")
    base = f"{url.scheme}://{url.hostname}:{port}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    _check_server(base, headers)
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    try:
        return chromadb.HttpClient(
            host=url.hostname, port=port, ssl=url.scheme == "https", headers=headers or None,
            settings=ChromaSettings(anonymized_telemetry=False),
        )
    except Exception as exc:  # chromadb wraps connection and tenant problems in several types
        raise StoreError(f"cannot use the Chroma server at {base}: {exc}") from exc


def _check_server(base: str, headers: dict[str, str]) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{base}/api/v2/heartbeat", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=_SERVER_TIMEOUT) as response:
            json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise StoreError(
                f"the Chroma server at {base} refused the credentials (HTTP {exc.code}); "
                "check NEWSDESK_CHROMA_TOKEN"
            ) from exc
        raise StoreError(
            f"{base} answered HTTP {exc.code} to a heartbeat: is it a Chroma 1.x server?"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        reason = getattr(reason, "strerror", None) or reason  # "Connection refused", not "[Errno 111] ..."
        raise StoreError(
            f"no Chroma server answers at {base} ({reason}); start one with "
            f"`chroma run --path DIR --port {base.rsplit(':', 1)[1]}` or unset NEWSDESK_CHROMA_URL"
        ) from exc
    except ValueError as exc:
        raise StoreError(f"{base} is not a Chroma server (its heartbeat is not JSON)") from exc


P = ParamSpec("P")
R = TypeVar("R")


def server_errors(method: Callable[P, R]) -> Callable[P, R]:
    """A Chroma server that goes away mid-command becomes a StoreError: one line, no traceback."""

    @functools.wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            if _is_connection_error(exc):
                raise StoreError(
                    f"lost the connection to the Chroma server ({exc}); is it still running?"
                ) from exc
            raise

    return guarded


def _is_connection_error(exc: Exception) -> bool:
    import httpx  # installed with chromadb's HTTP client; only reached after an error

    return isinstance(exc, httpx.TransportError)


def list_collections(client: ClientAPI) -> list[Collection]:
    try:
        return list(client.list_collections())
    except Exception as exc:
        raise StoreError(f"cannot list Chroma collections: {exc}") from exc
