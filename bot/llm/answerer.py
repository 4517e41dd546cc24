"""LLM answer mode: retrieve, prompt, parse, verify; fall back to the extractive answer on any doubt.

Verify, then show: every quote the model returns is located in the stored article text, or
dropped and counted. An answer left without a verified citation is never shown; the extractive
answerer (or an abstention) takes its place, with a note saying why. Endpoint trouble of any kind
(timeout, HTTP error, unreadable reply) ends the same way, never as a failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from bot import messages
from bot.answer import Answer, Citation
from bot.extractive import Answerer, check_question
from bot.llm.client import ChatModel, create_chat_model
from bot.llm.guard import looks_like_instructions, supported
from bot.llm.locate import locate
from bot.llm.parse import ModelReply, parse_reply, partial_answer
from bot.llm.prompt import Prompt, build_prompt
from bot.verify import ArticleSource
from index.errors import LLMError
from index.settings import AnswerSettings, LLMSettings, Settings

if TYPE_CHECKING:
    from index.retrieval import Retriever

log = logging.getLogger(__name__)

OnText = Callable[[str], None]


class LLMAnswerer:
    """An `Answerer` that lets a language model write the answer and trusts none of its quotes."""

    mode = "llm"

    def __init__(
        self,
        retriever: Retriever,
        articles: ArticleSource,
        model: ChatModel,
        settings: LLMSettings,
        answer_settings: AnswerSettings,
        fallback: Answerer,
    ) -> None:
        self.retriever = retriever
        self.articles = articles
        self.model = model
        self.settings = settings
        self.answer_settings = answer_settings
        self.fallback = fallback

    def ask(self, question: str, as_of: date | None = None, choices: Sequence[str] = ()) -> Answer:
        return self._answer(question, as_of, choices, on_text=None)

    def ask_streaming(
        self, question: str, on_text: OnText, as_of: date | None = None, choices: Sequence[str] = ()
    ) -> Answer:
        """Like `ask`, calling `on_text(answer_so_far)` as the model writes. That text is
        unverified: show it as provisional and replace it with the returned Answer."""
        return self._answer(question, as_of, choices, on_text=on_text)

    def _answer(self, question: str, as_of: date | None, choices: Sequence[str],
                on_text: OnText | None) -> Answer:
        question = check_question(question, self.answer_settings.max_question_chars)
        passages = self.retriever.search(question, self.answer_settings.passages, as_of)
        retrieved = list(dict.fromkeys(p.article_id for p in passages))
        if not passages:
            return Answer(question, None, [], as_of=as_of, mode=self.mode, retrieved=retrieved)
        prompt = build_prompt(question, passages, as_of or date.today(), choices)
        try:
            reply = parse_reply(self._reply(prompt, on_text))
        except LLMError as exc:
            return self._fall_back(question, as_of, choices, str(exc), dropped=0)
        if reply.answer is None:  # the model's own "not in the archive"
            return Answer(question, None, [], as_of=as_of, mode=self.mode, retrieved=retrieved)
        proposed = len(reply.citations) + reply.malformed
        if looks_like_instructions(reply.answer):
            return self._fall_back(question, as_of, choices, messages.LLM_INSTRUCTIONS_IN_ANSWER,
                                   dropped=proposed)
        citations, rejected = self._verified_citations(reply, prompt)
        dropped = rejected + reply.malformed
        if not citations:
            reason = (messages.LLM_NO_VERIFIED.format(count=proposed) if proposed
                      else messages.LLM_NO_CITATIONS)
            return self._fall_back(question, as_of, choices, reason, dropped=dropped)
        if not supported(reply.answer, _evidence(question, citations, prompt)):
            return self._fall_back(question, as_of, choices, messages.LLM_UNSUPPORTED,
                                   dropped=dropped)
        return Answer(
            question, reply.answer, citations, as_of=as_of,
            score=max(c.score for c in citations), mode=self.mode,
            notes=[messages.LLM_DROPPED.format(count=dropped)] if dropped else [],
            retrieved=retrieved, dropped_citations=dropped,
        )

    def _reply(self, prompt: Prompt, on_text: OnText | None) -> str:
        if on_text is None:
            return self.model.complete(prompt.messages, json_mode=self.settings.json_mode)
        text, shown = "", ""
        for delta in self.model.stream(prompt.messages, json_mode=self.settings.json_mode):
            text += delta
            so_far = partial_answer(text)
            if so_far and so_far != shown:
                shown = so_far
                on_text(shown)
        return text

    def _verified_citations(self, reply: ModelReply, prompt: Prompt) -> tuple[list[Citation], int]:
        """The located citations, without repeats, and how many proposals were rejected."""
        given = prompt.passages
        wanted = [given[c.passage - 1].article_id for c in reply.citations if 1 <= c.passage <= len(given)]
        stored = self.articles.get_articles(list(dict.fromkeys(wanted))) if wanted else {}
        found: dict[tuple[str, int, int], Citation] = {}
        rejected = 0
        for proposed in reply.citations:
            if not 1 <= proposed.passage <= len(given):
                log.info("dropped a citation of passage %d: only %d were given", proposed.passage, len(given))
                rejected += 1
                continue
            passage = given[proposed.passage - 1]
            article = stored.get(passage.article_id)
            citation = (locate(proposed.quote, article, passage, self.settings.min_quote_chars)
                        if article else None)
            if citation is None:
                log.info("dropped a quote not found in article %s", passage.article_id)
                rejected += 1
            elif looks_like_instructions(citation.quote):
                log.info("dropped a quote that addresses a language model (article %s)", citation.article_id)
                rejected += 1
            else:
                found.setdefault((citation.article_id, citation.start, citation.end), citation)
        return list(found.values()), rejected

    def _fall_back(self, question: str, as_of: date | None, choices: Sequence[str], reason: str,
                   dropped: int) -> Answer:
        log.info("LLM answer not used (%s); answering extractively", reason)
        answer = self.fallback.ask(question, as_of, choices)
        kept = [c for c in answer.citations if not looks_like_instructions(c.quote)]
        removed = len(answer.citations) - len(kept)
        if removed and not kept:
            answer = replace(answer, answer=None, sentence=None)
        return replace(
            answer, citations=kept, notes=[*answer.notes, messages.LLM_FALLBACK.format(reason=reason)],
            dropped_citations=answer.dropped_citations + dropped + removed,
        )


def _evidence(question: str, citations: Sequence[Citation], prompt: Prompt) -> list[str]:
    """What the answer may draw on: the given passages of the cited articles, titles and dates."""
    cited = {c.article_id for c in citations}
    texts = [question]
    for p in prompt.passages:
        if p.article_id in cited:
            texts += [p.title, p.text, p.published.isoformat() if p.published else ""]
    return texts + [c.quote for c in citations]


def create_llm_answerer(
    settings: Settings, retriever: Retriever, articles: ArticleSource, fallback: Answerer
) -> LLMAnswerer:
    return LLMAnswerer(retriever, articles, create_chat_model(settings.llm), settings.llm,
                       settings.answer, fallback)
