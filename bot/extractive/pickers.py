"""Picking the short answer from what was read: one picker for each way of picking
(`language.kinds.Picking`, a column of the kinds table); in choices mode the choice picker
(`bot.extractive.choices.Choices`).

Every picker follows one protocol (`Picker`): it takes the query and its reading and returns a
`Pick` (the short answer and the sentences that support it), or none when no span answers (the
best sentence is then the answer). The span pickers score candidate spans with a scorer
(`bot.extractive.scoring.Scorer`: the learned ranker, or the hand-set votes). `Pickers` is the
picking step of the answerer: it chooses the picker for a question, or abstains when nothing
read is evidence enough. Pickers search nothing: what they pick from was read before
(bot/extractive/reading.py). A new way of picking is a member of `Picking` and its picker in
`PICKERS`; tests/test_kinds.py checks that every way has one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.extractive import tuning
from bot.extractive.choices import Choices
from bot.extractive.features import Measuring, Votes
from bot.extractive.fullest import fullest_form
from bot.extractive.ranker import Ranker, RankerModel
from bot.extractive.reading import Reading, Sentence
from bot.extractive.scoring import Pick, Scorer
from bot.extractive.spans import continuation_span
from bot.query import Query
from index.archive import ArticleLookup
from index.encoders.embedder import Embedder
from language.dates import DateMention, reported_on, resolve_dates
from language.kinds import KINDS, Form, Picking


class Picker(Protocol):
    def pick(self, query: Query, reading: Reading) -> Pick | None:
        """The short answer and its support, from a reading with at least one sentence; None when
        no span answers (the best sentence is then the answer)."""
        ...


_FULLER = (Form.PERSON, Form.ORGANIZATION, Form.NAME)


class Spans:
    """The candidate span its scorer likes best, when one is likely enough; a name in its fullest
    form written in the articles that support it (bot/extractive/fullest.py)."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer

    def pick(self, query: Query, reading: Reading) -> Pick | None:
        picked = self.scorer.best(query, reading.sentences)
        # A place's longer form is often another place ("Almaty Region"): only names of others.
        if picked is None or picked.answer is None or KINDS[query.info.kind].answer not in _FULLER:
            return picked
        articles = frozenset(s.passage.article_id for s in picked.support)
        return replace(picked, answer=fullest_form(picked.answer, reading.passages, articles, query.info.kind))


class Dates:
    """The first date mentioned in the best sentence that has one, resolved against its article.

    Only sentences that are evidence in their own right (score at least `min_score`) count; a
    question about the past is never answered with a day after the article reporting it; and the
    day a statement was made ("said on Wednesday") gives way to the event's own date.
    """

    def __init__(self, articles: ArticleLookup, min_score: float) -> None:
        self.articles = articles
        self.min_score = min_score

    def pick(self, query: Query, reading: Reading) -> Pick | None:
        dated = self.first_date(query, reading.sentences[: tuning.SENTENCES_READ])
        return None if dated is None else Pick(dated[0].formatted(), (dated[1],))

    def first_date(self, query: Query, sentences: Sequence[Sentence]) -> tuple[DateMention, Sentence] | None:
        articles = self.articles.get_articles([s.passage.article_id for s in sentences])
        for sentence in sentences:
            article = articles.get(sentence.passage.article_id)
            if article is None or sentence.score < self.min_score:
                continue
            inside = [
                m for m in resolve_dates(article.text, article.published)
                if sentence.start <= m.start < sentence.end
                and not (query.info.past and article.published and m.value > article.published)
            ]
            # The day a statement was made answers only when the sentence dates nothing else.
            events = [m for m in inside if not reported_on(article.text, m)]
            if inside:
                return (events or inside)[0], sentence
        return None


class Continuation:
    """The words that complete a fill-in ("the death toll rose to:") in the first of the best
    sentences that repeats its end."""

    def pick(self, query: Query, reading: Reading) -> Pick | None:
        lead = query.info.asking.rstrip(":.… ")
        for sentence in reading.sentences[: tuning.SENTENCES_READ]:
            completion = continuation_span(sentence.text, lead)
            if completion:
                return Pick(sentence.text[completion[0]:completion[1]], (sentence,))
        return None


class BestSentence:
    """No span: the best sentence is the answer (a yes/no question: the sentence says which)."""

    def pick(self, query: Query, reading: Reading) -> Pick | None:
        return None


@dataclass(frozen=True)
class Parts:
    """What the pickers are made of."""

    scorer: Scorer  # the learned ranker, or the hand-set votes without a model
    votes: Votes  # the hand-set votes
    articles: ArticleLookup  # dates are resolved against their article's text and day
    min_score: float  # a sentence below it is no evidence on its own


# The picker of each way of picking (`language.kinds.Picking`: a column of `KINDS`).
PICKERS: Mapping[Picking, Callable[[Parts], Picker]] = {
    Picking.RANKED: lambda parts: Spans(parts.scorer),
    Picking.VOTED: lambda parts: Spans(parts.votes),
    Picking.DATE: lambda parts: Dates(parts.articles, parts.min_score),
    Picking.CONTINUATION: lambda parts: Continuation(),
    Picking.SENTENCE: lambda parts: BestSentence(),
}


class Pickers:
    """The picking step: the choice picker for a question with choices, else the picker of its
    kind (`KINDS[kind].picker`); none when nothing read is evidence enough to answer."""

    def __init__(self, encoder: Embedder, min_score: float, articles: ArticleLookup,
                 model: RankerModel | None = None) -> None:
        votes = Votes(encoder, min_score)
        self.measuring = Measuring(encoder, votes)  # what the learned ranker measures candidates with
        scorer: Scorer = votes if model is None else Ranker(model, self.measuring)
        self.choices = Choices(scorer)
        parts = Parts(scorer, votes, articles, min_score)
        self.by_picking = {picking: make(parts) for picking, make in PICKERS.items()}
        self.min_score = min_score

    def pick(self, query: Query, reading: Reading) -> Pick | None:
        """The pick for `query`: its picker's, else the best sentence; None when nothing was read,
        or (without choices to pick from) when even the best sentence is too weak: "not in the
        archive"."""
        if not reading.sentences:
            return None
        if query.choices:
            return self.choices.pick(query, reading)
        if reading.best_score < self.min_score:
            return None
        picked = self.by_picking[KINDS[query.info.kind].picker].pick(query, reading)
        return picked or Pick.sentence(reading.sentences[0])
