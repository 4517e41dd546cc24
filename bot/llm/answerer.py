"""LLM answer mode: retrieve, prompt, parse, verify; fall back to the extractive answer on any doubt.

Verify, then show: every quote the model returns is located in the stored article text, or
dropped and counted. An answer left without a verified citation is never shown; the extractive
answerer (or an abstention) takes its place, with a note saying why. Endpoint trouble of any kind
(timeout, HTTP error, unreadable reply) ends the same way, never as a failure.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot import messages
from bot.answer import Answer, Answerer, Citation
from bot.errors import LLMError
from bot.llm.client import ChatModel, create_chat_model
from bot.llm.guard import looks_like_instructions
from bot.llm.locate import locate
from bot.llm.parse import ModelReply, parse_reply, partial_answer
from bot.llm.prompt import Prompt, build_prompt
from bot.llm.support import CitedSentence, Unsupported, cited_sentence, supported, unsupported
from bot.query import Query
from bot.settings import AnswerSettings, LLMSettings, Settings
from index.archive import ArticleLookup

if TYPE_CHECKING:
    from index.retrieval import Retriever

log = logging.getLogger(__name__)

OnText = Callable[[str], None]


@dataclass(frozen=True)
class Verified:
    citations: list[Citation]  # located in the stored text, without repeats
    sentences: list[CitedSentence]  # the same quotes, their dates resolved in their article
    rejected: Counter[str]  # refused proposals by reason: keys of messages.LLM_REJECTED


class LLMAnswerer:
    """An `Answerer` that lets a language model write the answer and trusts none of its quotes."""

    mode = "llm"

    def __init__(
        self,
        retriever: Retriever,
        articles: ArticleLookup,
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

    def ask(self, query: Query) -> Answer:
        return self._answer(query, on_text=None)

    def ask_streaming(self, query: Query, on_text: OnText) -> Answer:
        """Like `ask`, calling `on_text(answer_so_far)` as the model writes. That text is
        unverified: show it as provisional and replace it with the returned Answer."""
        return self._answer(query, on_text=on_text)

    def _answer(self, query: Query, on_text: OnText | None) -> Answer:
        question, as_of = query.text, query.as_of
        passages = self.retriever.search(query, self.answer_settings.passages)
        retrieved = list(dict.fromkeys(p.article_id for p in passages))
        if not passages:
            return Answer(question, None, [], as_of=as_of, mode=self.mode, retrieved=retrieved)
        prompt = build_prompt(question, passages, as_of, query.choices)
        try:
            reply = parse_reply(self._reply(prompt, on_text))
        except LLMError as exc:
            return self._fall_back(query, str(exc), dropped=0)
        if reply.answer is None:  # the model's own "not in the archive"
            return Answer(question, None, [], as_of=as_of, mode=self.mode, retrieved=retrieved)
        proposed = len(reply.citations) + reply.malformed
        if looks_like_instructions(reply.answer):
            return self._fall_back(query, messages.LLM_INSTRUCTIONS_IN_ANSWER, dropped=proposed)
        verified = self._verified_citations(reply, prompt)
        rejected = verified.rejected + Counter(unreadable=reply.malformed)
        dropped = sum(rejected.values())
        citations = verified.citations
        if not citations:
            return self._fall_back(query, _no_citation_note(proposed, rejected), dropped=dropped)
        problem = unsupported(query.info, reply.answer, verified.sentences, as_of)
        if problem is not None:
            return self._fall_back(query, _unsupported_note(problem, query), dropped=dropped)
        if not supported(reply.answer, _evidence(question, citations, prompt)):
            return self._fall_back(query, messages.LLM_UNSUPPORTED, dropped=dropped)
        return Answer(
            question, reply.answer, citations, as_of=as_of,
            score=max(c.score for c in citations), mode=self.mode,
            notes=[_dropped_note(rejected)] if dropped else [],
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

    def _verified_citations(self, reply: ModelReply, prompt: Prompt) -> Verified:
        """The located citations, and the proposals rejected, counted by reason."""
        given = prompt.passages
        wanted = [given[c.passage - 1].article_id for c in reply.citations if 1 <= c.passage <= len(given)]
        stored = self.articles.get_articles(list(dict.fromkeys(wanted))) if wanted else {}
        found: dict[tuple[str, int, int], tuple[Citation, CitedSentence]] = {}
        rejected: Counter[str] = Counter()
        for proposed in reply.citations:
            if not 1 <= proposed.passage <= len(given):
                log.info("dropped a citation of passage %d: only %d were given", proposed.passage, len(given))
                rejected["not_given"] += 1
                continue
            passage = given[proposed.passage - 1]
            article = stored.get(passage.article_id)
            citation = (locate(proposed.quote, article, passage, self.settings.min_quote_chars)
                        if article else None)
            if article is None or citation is None:
                log.info("dropped a quote not found in article %s", passage.article_id)
                rejected["not_found"] += 1
            elif looks_like_instructions(citation.quote):
                log.info("dropped a quote that addresses a language model (article %s)", citation.article_id)
                rejected["instructions"] += 1
            else:
                key = (citation.article_id, citation.start, citation.end)
                found.setdefault(key, (citation, cited_sentence(article.text, citation.start, citation.end,
                                                                article.published)))
        return Verified([c for c, _ in found.values()], [s for _, s in found.values()], rejected)

    def _fall_back(self, query: Query, reason: str, dropped: int) -> Answer:
        log.info("LLM answer not used (%s); answering extractively", reason)
        answer = self.fallback.ask(query)
        kept = [c for c in answer.citations if not looks_like_instructions(c.quote)]
        removed = len(answer.citations) - len(kept)
        if removed and not kept:
            answer = replace(answer, answer=None, sentence=None)
        return replace(
            answer, citations=kept, notes=[*answer.notes, messages.LLM_FALLBACK.format(reason=reason)],
            dropped_citations=answer.dropped_citations + dropped + removed,
        )


def _reasons(rejected: Counter[str]) -> str:
    return ", ".join(text.format(count=rejected[reason]) for reason, text in messages.LLM_REJECTED.items()
                     if rejected[reason])


def _no_citation_note(proposed: int, rejected: Counter[str]) -> str:
    """Why no citation is left, as it happened: not found, addressing AI systems, or a mix."""
    if not proposed:
        return messages.LLM_NO_CITATIONS
    if set(rejected) == {"not_found"}:
        return messages.LLM_NO_VERIFIED.format(count=proposed)
    if set(rejected) == {"instructions"}:
        return messages.LLM_ONLY_INSTRUCTIONS
    return messages.LLM_NO_USABLE.format(count=proposed, reasons=_reasons(rejected))


def _dropped_note(rejected: Counter[str]) -> str:
    count = sum(rejected.values())
    if set(rejected) == {"not_found"}:
        return messages.LLM_DROPPED.format(count=count)
    return messages.LLM_DROPPED_FOR.format(count=count, reasons=_reasons(rejected))


def _unsupported_note(problem: Unsupported, query: Query) -> str:
    if problem is Unsupported.WRONG_KIND:
        kind = messages.LLM_ANSWER_KINDS.get(query.info.kind.value)
        return messages.LLM_WRONG_KIND.format(kind=kind) if kind else messages.LLM_WRONG_KIND_ANY
    return messages.LLM_OFF_TOPIC if problem is Unsupported.OFF_TOPIC else messages.LLM_NOT_IN_QUOTES


def _evidence(question: str, citations: Sequence[Citation], prompt: Prompt) -> list[str]:
    """What the answer may draw on: the given passages of the cited articles, titles and dates."""
    cited = {c.article_id for c in citations}
    texts = [question]
    for p in prompt.passages:
        if p.article_id in cited:
            texts += [p.title, p.text, p.published.isoformat() if p.published else ""]
    return texts + [c.quote for c in citations]


def create_llm_answerer(
    settings: Settings, retriever: Retriever, articles: ArticleLookup, fallback: Answerer
) -> LLMAnswerer:
    return LLMAnswerer(retriever, articles, create_chat_model(settings.llm), settings.llm,
                       settings.answer, fallback)
