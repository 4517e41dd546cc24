"""The default answerer: no LLM, no API key.

It answers in three steps, each once: it reads the best passages sentence by sentence and scores
each sentence against the question (meaning, shared words, retrieval rank: `reading`);
picks the short answer (`pickers.Pickers`: abstaining when even the best sentence is weak, and
otherwise taking the span of the kind the question asks for, a resolved date, a name, a
number..., with the sentence(s) that support it); and composes the `Answer`, quoting them exactly.
"""

from __future__ import annotations

from dataclasses import replace

from bot.answer import Answer, Answerer
from bot.extractive.pickers import Pickers
from bot.extractive.ranker import RankerModel
from bot.extractive.reading import Reading, reading_for
from bot.extractive.scoring import Pick
from bot.query import Query, composed
from bot.settings import AnswerSettings
from index.archive import ArticleLookup
from index.encoders.embedder import Embedder
from index.retrieval import Retriever
from language.causes import Reason, gives_reason


class ExtractiveAnswerer:
    def __init__(
        self, retriever: Retriever, reader: Embedder, settings: AnswerSettings, articles: ArticleLookup,
        ranker: RankerModel | None = None, composer: Answerer | None = None,
    ) -> None:
        self.retriever = retriever
        self.reader = reader  # compares sentences with the question (see `AnswerSettings.reader`)
        self.settings = settings
        self.articles = articles
        self.pickers = Pickers(reader, settings.min_score, articles, ranker)
        self.composer = composer  # answers the composed shapes (bot/compose/); None: every query a factoid

    def with_ranker(self, ranker: RankerModel | None) -> ExtractiveAnswerer:
        """The same answerer, picking with another ranker model (None: the hand-set votes)."""
        return ExtractiveAnswerer(self.retriever, self.reader, self.settings, self.articles, ranker, self.composer)

    def read(self, query: Query) -> Reading:
        return reading_for(query, self.retriever, self.reader, self.settings.passages)

    def ask(self, query: Query) -> Answer:
        if self.composer is None or not composed(query):
            return self.short_answer(query)
        points = self.composer.ask(query)
        return with_short_answer(points, self.short_answer(query)) if query.shape.has_short_answer else points

    def short_answer(self, query: Query) -> Answer:
        """The factoid answer: one short answer and the sentences that hold it."""
        reading = self.read(query)
        pick = self.pickers.pick(query, reading)
        return _composed(query, reading, pick)


def with_short_answer(points: Answer, short: Answer) -> Answer:
    """A composed answer led by the short answer to the same question when one of its points
    quotes it, or its own sentence clearly gives a reason (not a guess from elsewhere): the short
    answer's citations first, then the points' (each quote once)."""
    quoted = short.answer is not None and any(short.answer in p.citation.quote for p in points.points)
    if short.answer is None or not (quoted or gives_reason(short.sentence or "") is Reason.STRONG):
        return points
    seen = {(c.article_id, c.start, c.end) for c in short.citations}
    more = [c for c in points.citations if (c.article_id, c.start, c.end) not in seen]
    return replace(points, answer=short.answer, sentence=short.sentence, score=short.score,
                   citations=[*short.citations, *more], notes=[*short.notes, *points.notes])


def _composed(query: Query, reading: Reading, pick: Pick | None) -> Answer:
    """The answer to `query`: the pick quoted from its sentences, or, without one, "not in the
    archive" with the best evidence score read."""
    if pick is None:
        return Answer(query.text, None, [], as_of=query.as_of, score=reading.best_score, retrieved=reading.retrieved)
    support = pick.support
    return Answer(
        query.text, pick.answer, [s.citation() for s in support], as_of=query.as_of,
        sentence=support[0].text if support else None, score=support[0].score if support else 0.0,
        notes=list(pick.notes), retrieved=reading.retrieved,
    )
