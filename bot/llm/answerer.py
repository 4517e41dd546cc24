"""LLM answer mode: retrieve, prompt, parse, verify; fall back to the extractive answer on any doubt.

Verify, then show: every quote the model returns is located in the stored article text, or
dropped and counted; every kept quote must hold the answer's key content, or is replaced by the
archive sentence that does. An answer left without such a citation is never shown; the extractive
answerer (or an abstention) takes its place, with a note saying why. Endpoint trouble of any kind
(timeout, HTTP error, unreadable reply) ends the same way, never as a failure.

Time and size: one deadline per question (`LLMSettings.timeout`) covers every request; the prompt
fits a token budget and the model's context, and a context error is answered once, with a
smaller prompt (see bot/llm/budget.py).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot import messages
from bot.answer import Answer, Answerer, Citation, LLMTrace
from bot.errors import ContextExceeded, LLMError
from bot.evidence import addressed_at, without_addressed
from bot.llm.budget import Budget
from bot.llm.client import ChatModel, Completion, create_chat_model
from bot.llm.locate import locate
from bot.llm.parse import ModelReply, parse_reply, partial_answer
from bot.llm.prompt import Prompt, build_prompt
from bot.llm.support import (
    CitedSentence,
    Unsupported,
    cited_sentence,
    holds,
    of_kind,
    sentence_holding,
    supported,
    unsupported,
)
from bot.query import Query, composed
from bot.settings import AnswerSettings, LLMSettings, Settings
from index.archive import ArticleLookup
from index.models import Article, Passage
from language.addressed import addresses_machines

if TYPE_CHECKING:
    from index.retrieval import Retriever

log = logging.getLogger(__name__)

OnText = Callable[[str], None]


@dataclass(frozen=True)
class Located:
    """A model's citation found in the stored text, with what it was found in."""

    citation: Citation
    sentence: CitedSentence  # the quote, its dates resolved in its article
    article: Article
    passage: Passage


@dataclass(frozen=True)
class Verified:
    located: list[Located]  # without repeats
    rejected: Counter[str]  # refused proposals by reason: keys of messages.LLM_REJECTED


@dataclass
class Run:
    """One question's requests, for its trace."""

    requests: int = 0
    prompt_tokens: int | None = None
    passages: int = 0
    seconds: float = 0.0

    def sent(self) -> None:
        self.requests += 1

    def trace(self, fallback: str | None) -> LLMTrace:
        return LLMTrace(fallback, self.requests, self.prompt_tokens, self.passages, self.seconds)


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
        # Answers the composed shapes (bot/llm/compose.py, sharing this endpoint); None: every query a factoid.
        self.composer: Answerer | None = None
        self.budget = Budget()  # what this endpoint's context errors taught, for later questions

    def ask(self, query: Query) -> Answer:
        return self._answer(query, on_text=None)

    def ask_streaming(self, query: Query, on_text: OnText) -> Answer:
        """Like `ask`, calling `on_text(answer_so_far)` as the model writes. That text is
        unverified: show it as provisional and replace it with the returned Answer."""
        return self._answer(query, on_text=on_text)

    def _answer(self, query: Query, on_text: OnText | None) -> Answer:
        if self.composer is not None and composed(query):
            return self.composer.ask(query)
        question, as_of = query.text, query.as_of
        run = Run()
        found = self.retriever.search(query, self.settings.passages)
        retrieved = list(dict.fromkeys(p.article_id for p in found))
        passages = without_addressed(found)  # the model never reads text addressed to machines
        if not passages:
            return Answer(question, None, [], as_of=as_of, mode=self.mode, retrieved=retrieved,
                          llm=run.trace(None))
        try:
            prompt, completion = self.completion(query, passages, run, on_text)
            reply = parse_reply(completion.text)
        except LLMError as exc:
            return self._fall_back(query, str(exc), exc.kind, 0, run)
        if reply.answer is None:  # the model's own "not in the archive"
            return Answer(question, None, [], as_of=as_of, mode=self.mode, retrieved=retrieved,
                          llm=run.trace(None))
        proposed = len(reply.citations) + reply.malformed
        if addresses_machines(reply.answer):
            return self._fall_back(query, messages.LLM_INSTRUCTIONS_IN_ANSWER, "instructions_in_answer",
                                   proposed, run)
        verified = self._verified_citations(reply, prompt)
        rejected = verified.rejected + Counter(unreadable=reply.malformed)
        if not verified.located:
            reason, key = _no_citation_note(proposed, rejected)
            return self._fall_back(query, reason, key, sum(rejected.values()), run)
        if not of_kind(query.info, reply.answer, as_of):
            return self._fall_back(query, _unsupported_note(Unsupported.WRONG_KIND, query), "wrong_kind",
                                   sum(rejected.values()), run)
        kept, replaced, not_holding = self._supporting(query, reply.answer, verified.located)
        rejected["not_holding"] += not_holding
        dropped = sum(rejected.values())
        problem = unsupported(query.info, reply.answer, [k.sentence for k in kept], as_of) if kept else (
            Unsupported.NOT_IN_QUOTES)
        if problem is not None:
            return self._fall_back(query, _unsupported_note(problem, query), problem.value, dropped, run)
        citations = [k.citation for k in kept]
        if not supported(reply.answer, _evidence(question, citations, prompt)):
            return self._fall_back(query, messages.LLM_UNSUPPORTED, "unsupported", dropped, run)
        notes = [_dropped_note(rejected)] if dropped else []
        if replaced:
            notes.append(messages.LLM_REPLACED.format(count=replaced))
        return Answer(
            question, reply.answer, citations, as_of=as_of, score=max(c.score for c in citations),
            mode=self.mode, notes=notes, retrieved=retrieved, dropped_citations=dropped,
            llm=run.trace(None),
        )

    # -- the requests ------------------------------------------------------------------------------

    def completion(self, query: Query, passages: Sequence[Passage], run: Run,
                   on_text: OnText | None) -> tuple[Prompt, Completion]:
        """The model's reply to the prompt for `query` (for its shape: bot/llm/prompt.py), by the
        deadline; a prompt that does not fit is sent once more, smaller.
        The deadline runs from the first request (retrieval and the one look at the server's
        context size come before it)."""
        prompt = self._prompt(query, passages)
        deadline = time.monotonic() + self.settings.timeout
        try:
            return prompt, self._send(prompt, deadline, run, on_text)
        except ContextExceeded as exc:
            self.budget.learn(prompt.tokens, exc.prompt_tokens, exc.context, self.settings.max_tokens)
            smaller = self._prompt(query, passages)
            if smaller.tokens >= prompt.tokens:
                raise
            log.info("sending a smaller prompt: %d passages, about %d tokens", len(smaller.passages), smaller.tokens)
            return smaller, self._send(smaller, deadline, run, on_text)

    def _prompt(self, query: Query, passages: Sequence[Passage]) -> Prompt:
        context = self.settings.context_tokens or self.model.context_size()  # asked once, if not configured
        limit = self.budget.limit(self.settings.prompt_tokens, context, self.settings.max_tokens)
        return build_prompt(query.text, passages, query.as_of, query.choices, budget=limit, shape=query.shape)

    def _send(self, prompt: Prompt, deadline: float, run: Run, on_text: OnText | None) -> Completion:
        run.passages, run.prompt_tokens = len(prompt.passages), prompt.tokens
        shown = ""

        def progress(text: str) -> None:
            nonlocal shown
            so_far = partial_answer(text)
            if on_text is not None and so_far and so_far != shown:
                shown = so_far
                on_text(shown)

        started = time.monotonic()
        try:
            completion = self.model.complete(prompt.messages, json_mode=self.settings.json_mode,
                                             deadline=deadline, on_text=progress if on_text else None,
                                             on_request=run.sent)
        finally:
            run.seconds += time.monotonic() - started
        run.prompt_tokens = completion.prompt_tokens or prompt.tokens
        log.debug("the model replied: %.2000r", completion.text)
        return completion

    # -- the citations -----------------------------------------------------------------------------

    def _verified_citations(self, reply: ModelReply, prompt: Prompt) -> Verified:
        """The located citations, and the proposals rejected, counted by reason."""
        given = prompt.passages
        wanted = [given[c.passage - 1].article_id for c in reply.citations if 1 <= c.passage <= len(given)]
        stored = self.articles.get_articles(list(dict.fromkeys(wanted))) if wanted else {}
        found: dict[tuple[str, int, int], Located] = {}
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
            elif addresses_machines(citation.quote) or addressed_at(article.text, citation.start, citation.end):
                log.info("dropped a quote that addresses a language model (article %s)", citation.article_id)
                rejected["instructions"] += 1
            else:
                key = (citation.article_id, citation.start, citation.end)
                sentence = cited_sentence(article.text, citation.start, citation.end, article.published)
                found.setdefault(key, Located(citation, sentence, article, passage))
        return Verified(list(found.values()), rejected)

    def _supporting(self, query: Query, answer: str,
                    located: Sequence[Located]) -> tuple[list[Located], int, int]:
        """The citations that hold the answer's key content, each one that does not replaced by the
        archive sentence that does (in its passage, else its article) where there is one; and how
        many were replaced, and dropped."""
        kept: dict[tuple[str, int, int], Located] = {}
        replaced = dropped = 0
        for item in located:
            if not holds(query.info, answer, item.sentence, query.as_of):
                better = sentence_holding(query.info, answer, item.article.text, item.article.published,
                                          (item.passage.start, item.passage.end), query.as_of)
                if better is None:
                    log.info("dropped a quote that does not hold the answer (article %s)", item.article.id)
                    dropped += 1
                    continue
                replaced += 1
                item = replace(item, sentence=better, citation=replace(
                    item.citation, quote=better.text, start=better.start, end=better.end))
            kept.setdefault((item.citation.article_id, item.citation.start, item.citation.end), item)
        return list(kept.values()), replaced, dropped

    def _fall_back(self, query: Query, reason: str, key: str, dropped: int, run: Run) -> Answer:
        log.info("LLM answer not used (%s); answering extractively", reason)
        answer = self.fallback.ask(query)
        kept = [c for c in answer.citations if not addresses_machines(c.quote)]
        removed = len(answer.citations) - len(kept)
        if removed and not kept:
            answer = replace(answer, answer=None, sentence=None)
        return replace(
            answer, citations=kept, notes=[*answer.notes, messages.LLM_FALLBACK.format(reason=reason)],
            dropped_citations=answer.dropped_citations + dropped + removed, llm=run.trace(key),
        )


def _reasons(rejected: Counter[str]) -> str:
    return ", ".join(text.format(count=rejected[reason]) for reason, text in messages.LLM_REJECTED.items()
                     if rejected[reason])


def _no_citation_note(proposed: int, rejected: Counter[str]) -> tuple[str, str]:
    """Why no citation is left, as it happened: not found, addressing AI systems, or a mix."""
    if not proposed:
        return messages.LLM_NO_CITATIONS, "no_citations"
    if set(+rejected) == {"not_found"}:
        return messages.LLM_NO_VERIFIED.format(count=proposed), "not_found"
    if set(+rejected) == {"instructions"}:
        return messages.LLM_ONLY_INSTRUCTIONS, "instructions"
    return messages.LLM_NO_USABLE.format(count=proposed, reasons=_reasons(rejected)), "no_usable"


def _dropped_note(rejected: Counter[str]) -> str:
    count = sum(rejected.values())
    if set(+rejected) == {"not_found"}:
        return messages.LLM_DROPPED.format(count=count)
    return messages.LLM_DROPPED_FOR.format(count=count, reasons=_reasons(rejected))


def _unsupported_note(problem: Unsupported, query: Query) -> str:
    if problem is Unsupported.WRONG_KIND:
        kind = messages.LLM_ANSWER_KINDS.get(query.info.kind.value)
        return messages.LLM_WRONG_KIND.format(kind=kind) if kind else messages.LLM_WRONG_KIND_ANY
    return {
        Unsupported.OFF_TOPIC: messages.LLM_OFF_TOPIC,
        Unsupported.NUMBER_NOT_QUOTED: messages.LLM_NUMBER_NOT_QUOTED,
        Unsupported.NEGATION_NOT_QUOTED: messages.LLM_NEGATION_NOT_QUOTED,
    }.get(problem, messages.LLM_NOT_IN_QUOTES)


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
