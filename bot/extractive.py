"""The default answerer: no LLM, no API key.

It reads the best passages sentence by sentence, scores each sentence against the question
(meaning, shared words, retrieval rank), abstains when even the best is weak, and otherwise
answers with the shortest span of the type the question asks for (a resolved date, a name, a
number...) together with the sentence(s) that support it, quoted exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot import messages
from bot.answer import Answer, Citation
from bot.choices import pick_choice
from bot.extractive_terms import content_terms
from bot.gazetteer import (
    is_country_or_state,
    is_organization,
    is_place,
    looks_like_person,
    person_name,
)
from bot.question import NAMED_KINDS, AnswerType, QuestionInfo, analyse, asking_clause
from bot.spans import bare_count, candidates, continuation_span, proximity
from bot.temporal import DateMention, resolve_dates
from index.embedder import Embedder
from index.errors import UserInputError
from index.models import Article, Passage
from index.retrieval import Retriever
from index.settings import AnswerSettings

RETRIEVED = 20  # passages retrieved (their articles are reported for retrieval metrics)
CHOICE_PASSAGES = 5  # passages a search for each choice by name reads
SENTENCES_READ = 10  # top sentences whose spans vote for the short answer
RANK_DECAY = 0.15  # a span's vote shrinks with its sentence's rank: 1 / (1 + RANK_DECAY * rank)
SENTENCES_EMBEDDED = 16  # candidates compared with the question by meaning
FOCUS_CANDIDATES = 64  # spans compared with the kind of thing the question names
FOCUS_FLOOR = 0.5  # the focus factor runs from this (unrelated) to about 1.3 (the very thing)
MIN_TYPE_FIT = 0.5  # below this, a span is not the kind of thing the question asks for
PHRASE_MIN_FIT = FOCUS_FLOOR + 0.4  # ordinary words must be this close to what is asked for
PHRASE_FIT = 0.8  # ordinary words ("oat milk") answer "which product?" less often than names


_ASKS_SHARE = re.compile(r"\b(percentage|percent|per cent|proportion|share)\b|%", re.I)
_ASKS_MONEY = re.compile(
    r"\bhow much\b.*\b(cost|costs|pay|paid|raise|raised|spend|spent|worth|price|fund|funding|sold|"
    r"bid|fine|fined|budget|earn|earned|owe|owed|donate|donated)\b|\bhow much money\b", re.I
)
_ASKS_SEVERAL = re.compile(r"\b(?:which|what|the) (?:two|three|four)\b", re.I)
_MONEY = re.compile(r"[$£€¥]|\b(dollars?|pounds?|euros?|yen|bn|billion|million|trillion)\b", re.I)


class Answerer(Protocol):
    def ask(self, question: str, as_of: date | None = None, choices: Sequence[str] = ()) -> Answer: ...


def check_question(question: str, max_chars: int) -> str:
    cleaned = " ".join(question.split())
    if not cleaned:
        raise UserInputError(messages.EMPTY_QUESTION)
    if len(cleaned) > max_chars:
        raise UserInputError(messages.QUESTION_TOO_LONG.format(length=len(cleaned), limit=max_chars))
    return cleaned


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage, with absolute offsets into its article's text."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float = 0.0

    def citation(self) -> Citation:
        return Citation.from_passage(self.passage, self.start, self.end, self.score)


class ArticleLookup(Protocol):
    def get_articles(self, ids: Sequence[str]) -> dict[str, Article]: ...


class ExtractiveAnswerer:
    def __init__(
        self, retriever: Retriever, embedder: Embedder, settings: AnswerSettings, articles: ArticleLookup
    ) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self.settings = settings
        self.articles = articles

    def ask(self, question: str, as_of: date | None = None, choices: Sequence[str] = ()) -> Answer:
        question = check_question(question, self.settings.max_question_chars)
        info = analyse(question)
        passages = self.retriever.search(question, max(RETRIEVED, self.settings.passages), as_of)
        retrieved = list(dict.fromkeys(p.article_id for p in passages))
        sentences = self._score(info, _sentences(passages[: self.settings.passages]))
        base = Answer(question, None, [], as_of=as_of, retrieved=retrieved)
        if not sentences:
            return base
        best = sentences[0]
        if choices:
            named = {
                c: _sentences(self.retriever.keyword_search(f"{question} {c}", CHOICE_PASSAGES, as_of))
                for c in choices if c.strip()
            }
            return pick_choice(base, info, choices, passages, sentences, named)
        if best.score < self.settings.min_score:
            return Answer(question, None, [], as_of=as_of, score=best.score, retrieved=retrieved)
        short, support = self._short_answer(info, sentences)
        citations = [s.citation() for s in support]
        return Answer(
            question, short, citations, as_of=as_of, sentence=support[0].text, score=support[0].score,
            retrieved=retrieved,
        )

    def _score(self, info: QuestionInfo, sentences: list[Sentence]) -> list[Sentence]:
        """Sentences by evidence score: meaning (cosine), shared words, and the passage's rank.

        Only the most promising sentences by words and rank are embedded: the encoder is the
        slow part of answering on a CPU.
        """
        if not sentences:
            return []
        top_relevance = max(s.passage.relevance for s in sentences) or 1.0
        sentences = sorted(
            sentences,
            key=lambda s: _overlap(info.terms, s.text) + 0.5 * s.passage.relevance / top_relevance,
            reverse=True,
        )[:SENTENCES_EMBEDDED]
        vectors = self.embedder.embed([info.text] + [s.text for s in sentences])
        similarity = vectors[1:] @ vectors[0]
        scored = [
            Sentence(s.passage, s.start, s.end, s.text, float(
                0.55 * float(sim)
                + 0.25 * _overlap(info.terms, s.text)
                + 0.10 * s.passage.score
                + 0.10 * s.passage.relevance / top_relevance
            ))
            for sim, s in zip(similarity, sentences)
        ]
        return sorted(scored, key=lambda s: s.score, reverse=True)

    def _short_answer(self, info: QuestionInfo, sentences: list[Sentence]) -> tuple[str, list[Sentence]]:
        """The answer span and the sentences that support it (best first)."""
        best = sentences[0]
        if info.kind is AnswerType.DATE:
            dated = self._date_answer(info, sentences[:SENTENCES_READ])
            if dated is not None:
                return dated[0].formatted(), [dated[1]]
            return best.text, [best]
        if info.kind is AnswerType.YESNO:
            return best.text, [best]
        if info.kind is AnswerType.CONTINUATION:
            lead = asking_clause(info.text).rstrip(":.… ")
            for sentence in sentences[:SENTENCES_READ]:
                completion = continuation_span(sentence.text, lead)
                if completion:
                    return sentence.text[completion[0]:completion[1]], [sentence]
            return best.text, [best]
        # A span's evidence: its best sentence in each article, summed over articles, so that
        # independent reports agree but one article repeating its topic does not outvote them.
        # Only sentences that are evidence in their own right vote: a name from a weak sentence
        # is a confident wrong answer where the best sentence names none.
        phrases = _asks_for_a_thing(info, phrases=True)
        found = [
            (rank, sentence, span)
            for rank, sentence in enumerate(sentences[:SENTENCES_READ])
            if sentence.score >= self.settings.min_score
            for span in candidates(sentence.text, info.kind, info.terms, phrases=phrases)
        ]
        kind_fit = self._focus_fit(info, [span.text for _, _, span in found])
        # Ordinary words are candidates only when they are clearly the kind of thing asked for.
        if kind_fit:
            found = [f for f in found if _is_name(f[2].text) or kind_fit.get(f[2].text, 0.0) >= PHRASE_MIN_FIT]
        per_article: dict[tuple[str, str], float] = {}
        fits: dict[str, float] = {}
        where: dict[str, tuple[Sentence, str]] = {}
        for rank, sentence, span in found:
            text = person_name(span.text) if info.kind is AnswerType.PERSON else span.text
            key = " ".join(content_terms(text)) or text.lower()
            fits[key] = type_fit(info.kind, text, quoted=_is_quoted(sentence.text, span.start), asks_for=info.text)
            # "President of Kazakhstan Kassym-Jomart Tokayev": the title is the question's, the name right by it.
            start = span.end - len(text) if span.text.endswith(text) else span.start
            weight = sentence.score * proximity(sentence.text, (start, span.end), info.terms)
            weight *= fits[key] * kind_fit.get(span.text, FOCUS_FLOOR if kind_fit else 1.0) / (1.0 + RANK_DECAY * rank)
            slot = (key, sentence.passage.article_id)
            per_article[slot] = max(per_article.get(slot, 0.0), weight)
            if key not in where or where[key][0].score < sentence.score:
                where[key] = (sentence, text)
        votes: dict[str, float] = {}
        for (key, _), weight in per_article.items():
            votes[key] = votes.get(key, 0.0) + weight
        if not votes:
            return best.text, [best]
        key = max(votes, key=lambda k: votes[k])
        if fits[key] < MIN_TYPE_FIT:  # no span of the right kind: the sentence is the honest answer
            return best.text, [best]
        sentence, text = where[key]
        if info.kind is AnswerType.NUMBER:
            text = bare_count(text)
        support = [sentence] + [
            s for s in sentences[:SENTENCES_READ]
            if s.passage.article_id != sentence.passage.article_id and key in " ".join(content_terms(s.text))
        ][:1]
        return text, support

    def _focus_fit(self, info: QuestionInfo, texts: Sequence[str]) -> dict[str, float]:
        """How much each span is the kind of thing the question names ("which bird?": "barn
        owl" is, "nesting season" is not), by meaning; 1.0 when it names none."""
        texts = list(dict.fromkeys(texts))[:FOCUS_CANDIDATES]
        if not info.focus or not texts or not _asks_for_a_thing(info):
            return {}
        vectors = self.embedder.embed([info.focus, *texts])
        return {t: FOCUS_FLOOR + max(0.0, float(sim)) for t, sim in zip(texts, vectors[1:] @ vectors[0])}

    def _date_answer(self, info: QuestionInfo, sentences: list[Sentence]) -> tuple[DateMention, Sentence] | None:
        """The first date mentioned in the best sentence that has one, resolved against its article.

        Only sentences that are evidence in their own right (score at least `min_score`) count,
        and a question about the past is never answered with a day after the article reporting it.
        """
        articles = self.articles.get_articles([s.passage.article_id for s in sentences])
        for sentence in sentences:
            article = articles.get(sentence.passage.article_id)
            if article is None or sentence.score < self.settings.min_score:
                continue
            for mention in resolve_dates(article.text, article.published):
                if not sentence.start <= mention.start < sentence.end:
                    continue
                if info.past and article.published and mention.value > article.published:
                    continue
                return mention, sentence
        return None


def type_fit(kind: AnswerType, text: str, quoted: bool = False, asks_for: str = "") -> float:
    """How well a span's form fits what the question asks for (names of people, places...)."""
    if kind in NAMED_KINDS and _ASKS_SEVERAL.search(asks_for):  # "which two countries...?"
        parts = re.split(r"\s+(?:and|&)\s+", text)
        single = _ASKS_SEVERAL.sub("", asks_for)
        if len(parts) == 1:
            return 0.6 * _form_fit(kind, text, quoted, single)
        return min(_form_fit(kind, part, quoted, single) for part in parts)
    return _form_fit(kind, text, quoted, asks_for)


def _form_fit(kind: AnswerType, text: str, quoted: bool, asks_for: str) -> float:
    if kind in (AnswerType.NUMBER, AnswerType.QUANTITY):
        # "How many members...": "353 members" counts the right thing.
        counted = {t for t in content_terms(text) if not t[:1].isdigit()} & content_terms(asks_for)
        fit = 1.5 if counted else 1.0
        if _ASKS_SHARE.search(asks_for) and not re.search(r"%|\bper ?cent", text):
            fit *= 0.4  # "what percentage...?" is not answered by a count
        elif _ASKS_MONEY.search(asks_for) and not _MONEY.search(text):
            fit *= 0.5
        if re.fullmatch(r"(19|20)\d\d", text) and not re.search(r"\byears?\b", asks_for, re.I):
            fit *= 0.5  # a bare year is rarely a count
        return fit
    if kind is AnswerType.PERSON:
        if is_organization(text) or is_place(text) or text.isupper():  # "TV", "CNN" are not people
            return 0.3
        return 1.0 if looks_like_person(text) else 0.6
    if kind is AnswerType.PLACE:
        if is_place(text):
            # A country is not the answer to "which city?", nor a city to "which country?".
            asks_city = re.search(r"\b(city|cities|town|towns|village)\b", asks_for, re.I)
            return 0.4 if asks_city and is_country_or_state(text) else 1.0
        return 0.3 if is_organization(text) or looks_like_person(text) else 0.5
    if kind is AnswerType.ORGANIZATION:
        if is_organization(text):
            return 1.0
        return 0.4 if is_place(text) else 0.7
    if kind is AnswerType.ENTITY:
        if quoted:
            return 1.2
        return 1.0 if _is_name(text) else PHRASE_FIT
    return 1.0


def _asks_for_a_thing(info: QuestionInfo, phrases: bool = False) -> bool:
    """"Which bird / which show / what product": the answer is a thing the question names.
    With `phrases`: one that may well be ordinary words (not an organisation or a place)."""
    kinds = (AnswerType.ENTITY,) if phrases else (AnswerType.ENTITY, AnswerType.ORGANIZATION, AnswerType.PLACE)
    return info.kind in kinds and bool(info.focus)


def _is_name(text: str) -> bool:
    return any(c.isupper() or c.isdigit() for c in text)


def _is_quoted(sentence: str, start: int) -> bool:
    return start > 0 and sentence[start - 1] in "“\"‘"


def _overlap(terms: frozenset[str], text: str) -> float:
    return len(terms & content_terms(text)) / len(terms) if terms else 0.0


def _sentences(passages: Sequence[Passage]) -> list[Sentence]:
    seen: set[tuple[str, int, int]] = set()
    out: list[Sentence] = []
    for passage in passages:
        for start, end in passage.sentences or ((passage.start, passage.end),):
            key = (passage.article_id, start, end)
            if key in seen or not passage.start <= start < end <= passage.end:
                continue
            seen.add(key)
            out.append(Sentence(passage, start, end, passage.text[start - passage.start : end - passage.start]))
    return out
