"""What every composed answer reads: the sentences of the story the question names, each with its
evidence score, its vector and the day it is about.

Retrieval reads wider than for one fact (`tuning.PASSAGES`), and only the articles of the story
the question names are kept (`of_the_story`): those that name every name of the question and most
of its story words (language/story.py), not the neighbouring stories that share a word or two.
Their sentences are scored as the factoid answerer scores evidence (meaning, shared words, the
passage's cosine and rank: bot/extractive/tuning.py), so `min_score` means the same here; the
most promising are encoded by the runtime's sentence encoder, a few from every article first, so a
story told over many days is read across its days. Each sentence's day is the one it names ("on
Tuesday", "two days later", resolved in its article by language/dates.py) when that is not after
its article's, else its article's; a sentence that names only another time ("last week", a day to
come) is about a day not known.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache

import numpy as np

from bot.answer import Point
from bot.compose import tuning
from bot.evidence import without_addressed
from bot.extractive import tuning as scores
from bot.extractive.reading import Sentence, overlap, split_passages
from bot.query import Query
from index.archive import ArticleLookup
from index.encoders.embedder import Embedder, Vectors
from index.models import Article, Passage
from index.retrieval import Retriever
from index.versions import base_id
from language.dates import DateMention, resolve_dates
from language.story import story_names, story_terms, story_text
from language.telling import telling
from language.terms import content_terms, same_word


@dataclass(frozen=True)
class Item:
    """A sentence that may become a point: its evidence score, the day it is about, its story."""

    sentence: Sentence  # its `score` is `relevance`
    day: date | None  # named in the sentence, else its article's date
    dated: bool  # the sentence names its day itself
    elsewhen: bool  # it names only another time ("last week", "in 2019", a day to come): its day is not known
    story: str  # its article's wire story (ingest/copies.py): the copies of one story count once
    lede: bool  # it opens its article (news puts what happened first)
    vector: Vectors | None = field(default=None, compare=False, repr=False)  # None: not encoded
    central: float = 0.0  # its cosine to the story's centre (see `gather`); 0 when not encoded

    @property
    def weight(self) -> float:
        """What it is worth to a story told in points: its evidence, how central it is to the
        story, whether it opens its article."""
        return (self.relevance + tuning.CENTRAL * self.central + tuning.LEDE * self.lede
                + tuning.NAMES_ITS_DAY * self.dated + self.reporting)

    @cached_property
    def reporting(self) -> float:
        return reporting(self.text)

    @property
    def relevance(self) -> float:
        return self.sentence.score

    @property
    def text(self) -> str:
        return self.sentence.text

    @property
    def published(self) -> date | None:
        return self.sentence.passage.published or self.sentence.passage.available

    def point(self, note: str = "") -> Point:
        return Point(self.sentence.citation(), self.day, note)


@dataclass(frozen=True)
class Material:
    query: Query
    items: list[Item]  # the encoded sentences, most relevant first
    unread: list[Item]  # the story's other sentences (not encoded: the passage's cosine stands in)
    retrieved: list[str]  # article ids in retrieval order
    min_score: float  # the evidence score an answer needs: its lead, or its best point

    @property
    def floor(self) -> float:
        """The evidence score a point beside the best needs."""
        return self.min_score * tuning.POINT_SHARE

    @property
    def best(self) -> float:
        return self.items[0].relevance if self.items else 0.0

    def candidates(self) -> list[Item]:
        """The encoded sentences good enough to be points, most relevant first: evidence for the
        question, or central to its story (an event the question does not word: "the government
        resigned", asked what happened in the country)."""
        return [i for i in self.items if i.relevance >= self.floor or i.central >= tuning.CENTRAL_FLOOR]


def gather(query: Query, retriever: Retriever, reader: Embedder, articles: ArticleLookup,
           min_score: float) -> Material:
    found = retriever.search(query, tuning.PASSAGES)
    retrieved = list(dict.fromkeys(p.article_id for p in found))
    terms = (story_terms(query.text) - content_terms(query.info.focus)) or query.info.terms
    passages = of_the_story(without_addressed(found), terms, story_names(query.text))
    sentences = [s for s in split_passages(passages) if tuning.MIN_CHARS <= len(s.text) <= tuning.MAX_CHARS]
    if not sentences:
        return Material(query, [], [], retrieved, min_score)
    top = max(p.relevance for p in passages) or 1.0

    def score(sentence: Sentence, meaning: float) -> Sentence:
        value = (scores.SCORE_MEANING * meaning + scores.SCORE_WORDS * overlap(terms, sentence.text)
                 + scores.SCORE_PASSAGE * sentence.passage.score + scores.SCORE_RANK * sentence.passage.relevance / top)
        return Sentence(sentence.passage, sentence.start, sentence.end, sentence.text, value)

    estimated = [score(s, s.passage.score) for s in sentences]  # the passage's cosine for the sentence's
    encode, rest = _to_encode(estimated)
    vectors = reader.embed([story_text(query.text), *(s.text for s in encode)])
    days = _Days(articles.get_articles(list(dict.fromkeys(s.passage.article_id for s in sentences))))
    items = _centred([days.item(score(s, float(v @ vectors[0])), v) for s, v in zip(encode, vectors[1:])],
                     min_score)
    unread = [days.item(s, None) for s in rest]
    return Material(query, items, unread, retrieved, min_score)


def _centred(items: list[Item], min_score: float) -> list[Item]:
    """The items, most relevant first, each with its cosine to the story's centre: the
    relevance-weighted mean of the sentences that are evidence (else of the best three)."""
    items = sorted(items, key=lambda i: i.relevance, reverse=True)
    core = [i for i in items if i.relevance >= min_score] or items[:3]
    if not core:
        return items
    centre = np.sum([i.relevance * i.vector for i in core if i.vector is not None], axis=0)
    centre = centre / (float(np.linalg.norm(centre)) or 1.0)
    return [replace(i, central=float(i.vector @ centre)) if i.vector is not None else i for i in items]


def of_the_story(passages: Sequence[Passage], terms: frozenset[str], names: frozenset[str]) -> list[Passage]:
    """The passages of the articles about the story: those naming every name of the question (when
    any article does) and all its story words but a third of them (`STORY_SLACK`), or as many as
    the article naming most of them names. None when no article names any."""
    if not terms:
        return list(passages)
    words: dict[str, set[str]] = {}
    for passage in passages:
        words.setdefault(passage.article_id, content_terms(passage.title)).update(content_terms(passage.text))
    named = {a for a, found in words.items() if all(_said(name, found) for name in names)}
    said = {a: sum(_said(t, words[a]) for t in terms) for a in (named or words)}
    needed = min(max(said.values(), default=0), len(terms) - int(len(terms) * tuning.STORY_SLACK))
    return [p for p in passages if p.article_id in said and said[p.article_id] >= max(needed, 1)]


def _said(term: str, words: set[str]) -> bool:
    return term in words or any(same_word(term, w) for w in words)


def _to_encode(sentences: Sequence[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """The sentences to encode (the best of every article first, then the second best of each...,
    articles in the order of their best; an article's opening, and a sentence that reports, count as more), and the rest."""
    by_article: dict[str, list[Sentence]] = {}
    for sentence in sorted(sentences, key=lambda s: s.score + tuning.LEDE * (s.start < tuning.LEDE_CHARS)
                           + reporting(s.text),
                           reverse=True):
        by_article.setdefault(sentence.passage.article_id, []).append(sentence)
    rounds = max(len(group) for group in by_article.values())
    order = [group[n] for n in range(rounds) for group in by_article.values() if n < len(group)]
    return order[: tuning.SENTENCES_EMBEDDED], order[tuning.SENTENCES_EMBEDDED:]


def day_named(named: Sequence[DateMention], published: date | None) -> date | None:
    """The first day `named` that is not after `published` (the article's), and is not a day to
    come that the resolver took for last year's (language/dates.py)."""
    return next((m.value for m in named if m.precision == "day" and (published is None or m.value <= published)
                 and not (published and _to_come(m, published))), None)


def _to_come(mention: DateMention, published: date) -> bool:
    """A day written without its year ("October 14") that falls in the next `COMING_DAYS` of
    the article's year: news names the days ahead it reports on (a launch window, a hearing)."""
    if mention.value.year != published.year - 1 or _YEAR.search(mention.text):
        return False
    try:
        this_year = mention.value.replace(year=published.year)
    except ValueError:  # 29 February
        return False
    return 0 < (this_year - published).days <= tuning.COMING_DAYS


def reporting(text: str) -> float:
    """How much a sentence reports what happened, not comments on it (language/telling.py): a
    number counts for it; a quote, a question, the page's furniture against it."""
    told = telling(text)
    return (tuning.NUMBERS * told.numbers - tuning.QUOTE * told.quote - tuning.QUESTION * told.question
            - tuning.FURNITURE * told.furniture)


_YEAR = re.compile(r"\b(?:1[89]|2[01])\d\d\b")


class _Days:
    """The day each sentence is about, from its article's dates resolved once per article."""

    def __init__(self, articles: dict[str, Article]) -> None:
        self.articles = articles
        self.mentions: dict[str, tuple[DateMention, ...]] = {}

    def item(self, sentence: Sentence, vector: Vectors | None) -> Item:
        passage = sentence.passage
        story = passage.story or base_id(passage.article_id)
        published = passage.published or passage.available
        named = self._named(sentence, published)
        day = day_named(named, published)
        return Item(sentence, day or published, day is not None, day is None and bool(named), story,
                    sentence.start < tuning.LEDE_CHARS, vector)

    def _named(self, sentence: Sentence, published: date | None) -> list[DateMention]:
        """The times the sentence names, resolved in its article."""
        article = self.articles.get(sentence.passage.article_id)
        if article is None:
            return []
        if article.id not in self.mentions:
            self.mentions[article.id] = _dates_of(article.id, article.text, article.published or published)
        return [m for m in self.mentions[article.id] if sentence.start <= m.start < sentence.end]


@lru_cache(maxsize=tuning.DATED_ARTICLES)
def _dates_of(article_id: str, text: str, published: date | None) -> tuple[DateMention, ...]:
    """An article's dates, resolved once for every question about its story (the slow part of
    reading a story after its encoding: about 20 ms an article on a busy 2-core machine). Keyed by
    the text too: an article updated in place is read again."""
    return tuple(resolve_dates(text, published))
