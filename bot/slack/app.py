"""The Bolt app, built from settings. Creating it contacts nobody: Bolt calls `auth.test` on the
first request, the SQLite file opens on first use, and the answerer is whatever the caller passes."""

from __future__ import annotations

import logging
from http.client import RemoteDisconnected
from typing import TYPE_CHECKING
from urllib.error import URLError

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    RetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from bot.slack import handlers
from bot.slack.access import Access
from bot.slack.db import FILE_NAME, Database
from bot.slack.dedupe import Deduper
from bot.slack.desk import Desk
from bot.slack.feedback import FeedbackStore
from bot.slack.payloads import refusal
from bot.slack.threads import ThreadMemory

if TYPE_CHECKING:
    from bot.answer import Answerer
    from bot.settings import Settings, SlackSettings

log = logging.getLogger(__name__)


class _TokenSkippedFilter(logging.Filter):
    """Drops Bolt's "As you gave `client` as well, `token` will be unused." and nothing else. App reads
    SLACK_BOT_TOKEN from the environment itself even when given a client, and create_app always gives
    one (built from that same token, with the configured base URL and retries)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_TOKEN_SKIPPED = _TokenSkippedFilter()

class CheckedApp(App):
    """Bolt's App, refusing payloads of a shape the listeners cannot read (`bot.slack.payloads`)
    before Bolt's own middleware reads them. Over HTTP the signature is checked before this
    (`bot.slack.server.RequestCheck`); Socket Mode payloads come over the app's own connection."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        return refusal(req.body) or super().dispatch(req)


RETRIES = 2  # per kind of failure, on top of the first attempt


def retry_handlers() -> list[RetryHandler]:
    """429 (waits Retry-After), 500/503 and dropped or timed-out connections are retried."""
    return [
        RateLimitErrorRetryHandler(max_retry_count=RETRIES),
        ServerErrorRetryHandler(max_retry_count=RETRIES),
        ConnectionErrorRetryHandler(
            max_retry_count=RETRIES,
            error_types=[URLError, ConnectionResetError, RemoteDisconnected, TimeoutError],
        ),
    ]


def create_client(slack: SlackSettings) -> WebClient:
    token = slack.bot_token.get_secret_value() if slack.bot_token else None
    return WebClient(token=token, base_url=slack.api_url, retry_handlers=retry_handlers())


def create_app(settings: Settings, answerer: Answerer, client: WebClient | None = None) -> App:
    """The newsdesk Slack app, answering with `answerer`: the runtime's, which verifies every
    citation against the stored text before it is shown (`bot.runtime.Runtime.answerer`)."""
    slack = settings.slack
    db = Database(settings.store.home / FILE_NAME)
    desk = Desk(
        answerer, FeedbackStore(db), ThreadMemory(db), Deduper(db), retry_handlers(),
        max_question_chars=settings.answer.max_question_chars,
        drafts=settings.llm.enabled and settings.llm.stream,
    )
    log.addFilter(_TOKEN_SKIPPED)  # on the logger App is given; adding it again is a no-op
    app = CheckedApp(
        client=client or create_client(slack),
        # Always a string: given None, Bolt would read the environment itself.
        signing_secret=slack.signing_secret.get_secret_value() if slack.signing_secret else "",
        token_verification_enabled=False,
        name="newsdesk",
        logger=log,
    )
    handlers.register(app, desk, Access(slack.allowed_channels, slack.allowed_users))
    return app
