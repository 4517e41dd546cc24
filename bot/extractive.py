"""The default answerer: no LLM, no API key.

It reads the best passages sentence by sentence, scores each sentence against the question
(meaning, shared words, retrieval rank), abstains when even the best is weak, and otherwise
answers with the shortest span of the type the question asks for (a resolved date, a name, a
number...) together with the sentence(s) that support it, quoted exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot import messages
from bot.answer import Answer, Citation
from bot.choices import pick_choice
from bot.extractive_terms import content_terms
from bot.question import AnswerType, QuestionInfo, analyse
from bot.spans import candidates, proximity
from bot.temporal import DateMention, resolve_dates
from index.embedder import Embedder
from index.errors import UserInputError
from index.models import Article, Passage
from index.retrieval import Retriever
from index.settings import AnswerSettings

RETRIEVED = 20  # passages retrieved (their articles are reported for retrieval metrics)
SENTENCES_READ = 6  # top sentences whose spans vote for the short answer


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
            return pick_choice(base, info, choices, sentences, self.settings.min_score)
        if best.score < self.settings.min_score:
            return Answer(question, None, [], as_of=as_of, score=best.score, retrieved=retrieved)
        short, support = self._short_answer(info, sentences)
        citations = [s.citation() for s in support]
        return Answer(
            question, short, citations, as_of=as_of, sentence=support[0].text, score=support[0].score,
            retrieved=retrieved,
        )

    def _score(self, info: QuestionInfo, sentences: list[Sentence]) -> list[Sentence]:
        """Sentences by evidence score: meaning (cosine), shared words, and the passage's rank."""
        if not sentences:
            return []
        vectors = self.embedder.embed([info.text] + [s.text for s in sentences])
        similarity = vectors[1:] @ vectors[0]
        top_relevance = max(s.passage.relevance for s in sentences) or 1.0
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
        votes: dict[str, float] = {}
        where: dict[str, tuple[Sentence, str]] = {}
        for rank, sentence in enumerate(sentences[:SENTENCES_READ]):
            seen_here: set[str] = set()
            for span in candidates(sentence.text, info.kind, info.terms):
                key = " ".join(content_terms(span.text)) or span.text.lower()
                if key in seen_here:
                    continue
                seen_here.add(key)
                weight = sentence.score * proximity(sentence.text, (span.start, span.end), info.terms)
                weight *= 1.0 / (1.0 + 0.15 * rank)
                votes[key] = votes.get(key, 0.0) + weight
                if key not in where or where[key][0].score < sentence.score:
                    where[key] = (sentence, span.text)
        if not votes:
            return best.text, [best]
        key = max(votes, key=lambda k: votes[k])
        sentence, text = where[key]
        support = [sentence] + [
            s for s in sentences[:SENTENCES_READ]
            if s.passage.article_id != sentence.passage.article_id and key in " ".join(content_terms(s.text))
        ][:1]
        return text, support

    def _date_answer(self, info: QuestionInfo, sentences: list[Sentence]) -> tuple[DateMention, Sentence] | None:
        """The first date mentioned in the best sentence that has one, resolved against its article."""
        articles = self.articles.get_articles([s.passage.article_id for s in sentences])
        for sentence in sentences:
            article = articles.get(sentence.passage.article_id)
            if article is None:
                continue
            for mention in resolve_dates(article.text, article.published):
                if sentence.start <= mention.start < sentence.end:
                    return mention, sentence
        return None


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
