"""What happens after the ack: answer once, verify, record, post; never a stack trace in a channel."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from bot import messages
from bot.answer import Answer, StreamingAnswerer
from bot.followup import Turn, looks_like_question, resolve
from bot.query import build_query
from bot.slack.blocks import Reply, answer_reply, draft_reply, full_sources_replies, notice_reply
from bot.slack.dedupe import Deduper
from bot.slack.events import Command, Question
from bot.slack.feedback import FeedbackStore
from bot.slack.threads import ThreadMemory
from index.errors import UserInputError

if TYPE_CHECKING:
    from slack_sdk import WebClient
    from slack_sdk.http_retry import RetryHandler

    from bot.answer import Answerer

log = logging.getLogger(__name__)

SEARCHING_REACTION = "mag"  # shown on the question while the archive is searched


class Desk:
    """Turns questions into posted replies. Handlers call it after acknowledging Slack; the cheap
    checks (follow-up or chatter, already answered) run in the caller, the answer on `executor`."""

    def __init__(
        self,
        answerer: Answerer,
        feedback: FeedbackStore,
        threads: ThreadMemory,
        deduper: Deduper,
        retry_handlers: Sequence[RetryHandler],
        max_question_chars: int,
        workers: int = 4,
        today: Callable[[], date] = date.today,
        drafts: bool = False,
    ) -> None:
        self.answerer = answerer  # verifies its citations (see `bot.runtime.Runtime.answerer`)
        # LLM mode: post "working on it" at once, edit in the draft as the model writes it, then
        # put the verified answer in its place (see `_answer_in_place`).
        self.drafts = drafts and isinstance(answerer, StreamingAnswerer)
        self.max_question_chars = max_question_chars
        self.feedback = feedback
        self.threads = threads
        self.deduper = deduper
        self.retry_handlers = list(retry_handlers)
        self.today = today
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsdesk-answer")

    # -- entry points, one per kind of Slack request; each returns at once ----------------------

    def on_question(self, question: Question, client: WebClient) -> None:
        """A mention, a direct message or a thread reply: one reply, however often it is delivered."""
        previous = self.threads.recall(question.channel, question.conversation)
        if question.follow_up_only and (previous is None or not looks_like_question(question.text)):
            log.debug("silent on %s: not a follow-up in a thread the bot answered", question.ts)
            return
        if not self.deduper.claim(question.keys):
            log.info("already answered %s, skipping a redelivery", question.keys[0])
            return
        self._later(self._answer_question, question, previous, client)

    def on_command(self, command: Command) -> None:
        """`/news QUESTION`, already acknowledged: the answer goes to the command's response URL."""
        self._later(self._answer_command, command)

    def on_feedback(self, answer_id: str, user: str, verdict: str, response_url: str | None) -> None:
        recorded = self.feedback.record_click(answer_id, user, verdict)
        text = messages.SLACK_FEEDBACK_THANKS if recorded else messages.SLACK_ANSWER_EXPIRED
        if response_url:
            self._later(self.respond, response_url, notice_reply(text), "ephemeral")

    def on_full_sources(self, answer_id: str, response_url: str | None) -> None:
        answer = self.feedback.answer(answer_id)
        if not response_url:
            return
        replies = full_sources_replies(answer) if answer else [notice_reply(messages.SLACK_ANSWER_EXPIRED)]
        self._later(self._respond_in_order, response_url, replies)

    def _later(self, work: Callable[..., None], *args: Any) -> None:
        # Slow work leaves Bolt's listener threads free, so commands and clicks are acked at once.
        self.executor.submit(work, *args).add_done_callback(_log_failure)

    def _answer_question(self, question: Question, previous: Turn | None, client: WebClient) -> None:
        self._react(client, "reactions_add", question)
        try:
            if self.drafts:
                self._answer_in_place(question, previous, client)
            else:
                reply = self.reply_for(question.text, previous, question.channel, question.user,
                                       (question.channel, question.conversation))
                self._post(client, question, reply)
        finally:
            self._react(client, "reactions_remove", question)

    def _answer_in_place(self, question: Question, previous: Turn | None, client: WebClient) -> None:
        """One message that says "working on it", shows the model's draft as it is written (at
        most one edit per DRAFT_INTERVAL seconds), and ends as the verified answer."""
        ts = self._post(client, question, notice_reply(messages.SLACK_WORKING))
        draft = _Draft(client, question.channel, ts) if ts else None
        reply = self.reply_for(question.text, previous, question.channel, question.user,
                               (question.channel, question.conversation), draft.show if draft else None)
        if ts is None or not _update(client, question.channel, ts, reply):
            self._post(client, question, reply)

    def _answer_command(self, command: Command) -> None:
        reply = self.reply_for(command.text, None, command.channel, command.user, None)
        self.respond(command.response_url, reply, "in_channel" if command.in_channel else "ephemeral")

    def _respond_in_order(self, response_url: str, replies: list[Reply]) -> None:
        for reply in replies:
            self.respond(response_url, reply, "ephemeral")

    # -- the work -----------------------------------------------------------------------------

    def reply_for(
        self, asked: str, previous: Turn | None, channel: str, user: str,
        conversation: tuple[str, str] | None, on_draft: Callable[[str], None] | None = None,
    ) -> Reply:
        """Answer `asked` (a follow-up of `previous`) and record it. Never raises."""
        if not asked.strip():
            return notice_reply(messages.SLACK_USAGE)
        try:
            answer = self._answer(resolve(asked, previous), on_draft)
            answer_id = self.feedback.record_answer(answer, asked, channel, user)
            if conversation is not None:
                self.threads.remember(*conversation, Turn(answer.question, answer.answer))
            return answer_reply(answer, answer_id)
        except UserInputError as exc:  # written for the user, e.g. a question that is too long
            return notice_reply(str(exc))
        except Exception:
            log.exception("answering %r failed", asked)
            return notice_reply(messages.SLACK_FAILED)

    def _answer(self, question: str, on_draft: Callable[[str], None] | None = None) -> Answer:
        query = build_query(question, self.today(), self.max_question_chars)
        if on_draft is not None and isinstance(self.answerer, StreamingAnswerer):
            return self.answerer.ask_streaming(query, on_draft)
        return self.answerer.ask(query)

    # -- Slack I/O: failures are logged, the bot keeps running ----------------------------------

    def _post(self, client: WebClient, question: Question, reply: Reply) -> str | None:
        """Post in the question's thread; the message's ts, or None when it could not be posted."""
        try:
            response = client.chat_postMessage(
                channel=question.channel, thread_ts=question.reply_thread, text=reply.text,
                blocks=reply.blocks, unfurl_links=False, unfurl_media=False,
            )
            ts = response.get("ts")
            return ts if isinstance(ts, str) else None
        except SlackApiError as exc:
            log.error("could not post the reply to %s in %s: %s", question.ts, question.channel,
                      exc.response.get("error"))
        except Exception:
            log.exception("could not post the reply to %s in %s", question.ts, question.channel)
        return None

    def _react(self, client: WebClient, method: str, question: Question) -> None:
        """The searching indicator; optional (needs reactions:write), so failures are only logged."""
        try:
            getattr(client, method)(channel=question.channel, timestamp=question.ts, name=SEARCHING_REACTION)
        except (SlackClientError, OSError) as exc:
            log.debug("%s failed: %s", method, exc)

    def respond(self, response_url: str, reply: Reply, response_type: str) -> None:
        """Post to a response URL (slash commands, button clicks), with the same retries as the Web API."""
        try:
            response = WebhookClient(response_url, retry_handlers=self.retry_handlers).send(
                text=reply.text, blocks=reply.blocks, response_type=response_type,
                replace_original=False, unfurl_links=False, unfurl_media=False,
            )
            if response.status_code != 200:
                log.error("response URL answered %s: %s", response.status_code, response.body)
        except Exception:
            log.exception("could not send to the response URL")


DRAFT_INTERVAL = 1.0  # seconds between edits of a draft: Slack allows about one chat.update a second


class _Draft:
    """Edits the "working on it" message as the model's draft grows; failures are only logged."""

    def __init__(self, client: WebClient, channel: str, ts: str) -> None:
        self.client, self.channel, self.ts = client, channel, ts
        self.shown_at: float | None = None

    def show(self, text: str) -> None:
        now = time.monotonic()
        if self.shown_at is not None and now - self.shown_at < DRAFT_INTERVAL:
            return  # the next edit, or the verified answer, shows the newer text
        self.shown_at = now
        _update(self.client, self.channel, self.ts, draft_reply(text))


def _update(client: WebClient, channel: str, ts: str, reply: Reply) -> bool:
    try:
        client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)
        return True
    except (SlackClientError, OSError) as exc:
        log.warning("could not edit message %s in %s: %s", ts, channel, exc)
        return False


def _log_failure(future: Future[None]) -> None:
    error = future.exception()
    if error is not None:
        log.error("background work failed", exc_info=error)
