"""Composed answers as `Answer`s, and the answerer that sends each query where its shape goes.

`ComposingAnswerer` is the extractive composition (no LLM): the material of the story, composed by
its shape's composer (bot/compose/table.py). Its `answer` is a short lead (the lead quote, a
timeline's span of days, a list's members), its `points` the quotes in display order and its
`citations` theirs; it abstains (`answer` None: not in the archive) when no sentence of the story is
evidence enough (`min_score`), as the factoid answerer does.

The factoid answerers hand it every query of a composed shape (`bot.query.composed`): the
extractive answerer always, the LLM answerer when the model's composition is not usable
(bot/llm/compose.py); bot/runtime.py wires them.
"""

from __future__ import annotations

from dataclasses import replace

from bot.answer import Answer
from bot.compose.material import gather
from bot.compose.table import COMPOSERS
from bot.query import Query
from bot.settings import AnswerSettings
from index.archive import ArticleLookup
from index.encoders.embedder import Embedder
from index.retrieval import Retriever


class ComposingAnswerer:
    def __init__(self, retriever: Retriever, reader: Embedder, settings: AnswerSettings,
                 articles: ArticleLookup) -> None:
        self.retriever = retriever
        self.reader = reader  # the runtime's sentence encoder, as the factoid answerer's
        self.settings = settings
        self.articles = articles

    def ask(self, query: Query) -> Answer:
        material = gather(query, self.retriever, self.reader, self.articles, self.settings.min_score)
        abstained = Answer(query.text, None, [], as_of=query.as_of, score=material.best,
                           retrieved=material.retrieved, shape=query.shape.value)
        if material.best < self.settings.min_score:
            return abstained
        composition = COMPOSERS[query.shape](material)
        if not composition.points:
            return abstained
        points = composition.points
        return replace(abstained, answer=composition.lead or points[0].citation.quote,
                       citations=[p.citation for p in points], points=points)
