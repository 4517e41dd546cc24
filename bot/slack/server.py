"""HTTP mode: Bolt's WSGI adapter on a threaded stdlib server (one thread per request).

Bolt's own `app.start()` serves one request at a time on every interface; this one binds where it
is told, serves concurrent requests (Slack does not wait for one event before sending the next),
and can be shut down from another thread, which tests and signal handlers need.
"""

from __future__ import annotations

import logging
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"  # Bolt's default: events, interactivity and slash commands


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _LoggingHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def create_http_server(app: App, host: str, port: int) -> WSGIServer:
    """Bound and listening once this returns (port 0 picks a free one: see `server_port`)."""
    return make_server(host, port, SlackRequestHandler(app, EVENTS_PATH),
                       server_class=_ThreadingWSGIServer, handler_class=_LoggingHandler)
