"""LLM mode's composed answers: an overview, a timeline, the latest, why, a list, written by the model.

The model writes at most five short sentences in the shape asked for (bot/llm/prompt.py,
`SYSTEM_COMPOSED`), each with the sentence of a passage it rests on. Each sentence is kept only when
it is tied to a verified quote: its quote is found in the stored article text (`locate`, as for a
factoid) and widened to the whole sentence(s) it touches, addresses no machine, comes from an
article that names the story, and holds the sentence's facts (`bot.llm.support.unsupported`, asked
as of a description: its numbers and its "not" quoted, half its words held). A sentence that is not
tied is dropped and counted. With none left, an unreadable reply or any trouble with the endpoint,
the extractive composition (bot/compose/) is shown instead, with a note saying why.

A kept sentence is a `Point`: its quote is the citation, the sentence its `note`, its date the day
the quote names (else its article's); a timeline's points are put oldest first and the latest's
newest first, whatever order the model wrote them in.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot import messages
from bot.answer import Answer, Answerer, Citation, Point
from bot.errors import LLMError
from bot.evidence import addressed_at, without_addressed
from bot.llm.answerer import LLMAnswerer, Run
from bot.llm.locate import locate, whole_sentences
from bot.llm.parse import ProposedPoint, parse_points
from bot.llm.prompt import MAX_SENTENCES, Prompt
from bot.llm.support import cited_sentence, unsupported
from bot.query import Query
from index.models import Article
from language.addressed import addresses_machines
from language.dates import DateMention
from language.kinds import AnswerType
from language.shapes import Shape
from language.story import story_terms
from language.terms import content_terms, same_word

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Tied:
    points: list[Point]
    rejected: Counter[str]  # sentences dropped, by reason: keys of messages.LLM_REJECTED


class LLMComposer:
    """An `Answerer` for the composed shapes in LLM mode; it shares the factoid LLM answerer's
    endpoint, settings and what it learnt of the endpoint's context (`llm`)."""

    mode = "llm"

    def __init__(self, llm: LLMAnswerer, fallback: Answerer) -> None:
        self.llm = llm
        self.fallback = fallback  # the extractive composition

    def ask(self, query: Query) -> Answer:
        run = Run()
        found = self.llm.retriever.search(query, self.llm.settings.passages)
        retrieved = list(dict.fromkeys(p.article_id for p in found))
        passages = without_addressed(found)  # the model never reads text addressed to machines
        if not passages:
            return Answer(query.text, None, [], as_of=query.as_of, mode=self.mode, retrieved=retrieved,
                          llm=run.trace(None), shape=query.shape.value)
        try:
            prompt, completion = self.llm.completion(query, passages, run, None)
            proposed, unreadable = parse_points(completion.text)
        except LLMError as exc:
            return self._fall_back(query, str(exc), exc.kind, 0, run)
        if not proposed and not unreadable:  # the model's own "not in the archive"
            return Answer(query.text, None, [], as_of=query.as_of, mode=self.mode, retrieved=retrieved,
                          llm=run.trace(None), shape=query.shape.value)
        tied = self._tied(query, proposed[:MAX_SENTENCES], prompt)
        rejected = tied.rejected + Counter(unreadable=unreadable)
        dropped = sum(rejected.values())
        if not tied.points:
            reasons = _reasons(rejected)
            return self._fall_back(query, messages.LLM_NO_USABLE.format(count=dropped, reasons=reasons),
                                   "no_usable", dropped, run)
        points = _ordered(Shape(query.shape), tied.points)
        notes = [messages.LLM_DROPPED_FOR.format(count=dropped, reasons=_reasons(rejected))] if dropped else []
        return Answer(query.text, points[0].note, [p.citation for p in points], as_of=query.as_of,
                      score=max(p.citation.score for p in points), mode=self.mode, notes=notes,
                      retrieved=retrieved, dropped_citations=dropped, llm=run.trace(None),
                      shape=query.shape.value, points=points)

    def _tied(self, query: Query, proposed: Sequence[ProposedPoint], prompt: Prompt) -> _Tied:
        """The sentences tied to a verified quote that holds them, as points; the others counted."""
        given = prompt.passages
        wanted = [given[p.citation.passage - 1].article_id for p in proposed if 1 <= p.citation.passage <= len(given)]
        stored = self.llm.articles.get_articles(list(dict.fromkeys(wanted))) if wanted else {}
        info = replace(query.info, kind=AnswerType.DESCRIPTION, terms=frozenset())
        story = story_terms(query.text) or query.info.terms
        points: dict[tuple[str, int, int], Point] = {}
        rejected: Counter[str] = Counter()
        for sentence in proposed:
            number = sentence.citation.passage
            passage = given[number - 1] if 1 <= number <= len(given) else None
            article = stored.get(passage.article_id) if passage else None
            citation = (_whole(locate(sentence.citation.quote, article, passage, self.llm.settings.min_quote_chars),
                               article.text) if article and passage else None)
            if passage is None:
                rejected["not_given"] += 1
            elif article is None or citation is None:
                rejected["not_found"] += 1
            elif (addresses_machines(sentence.text) or addresses_machines(citation.quote)
                  or addressed_at(article.text, citation.start, citation.end)):
                rejected["instructions"] += 1
            else:
                cited = cited_sentence(article.text, citation.start, citation.end, article.published)
                if not _of_the_story(story, article) or unsupported(info, sentence.text, [cited], query.as_of):
                    log.info("dropped a sentence its quote does not hold (article %s)", article.id)
                    rejected["not_holding"] += 1
                    continue
                day = _day(cited.dates, article.published or passage.published)
                points.setdefault((citation.article_id, citation.start, citation.end),
                                  Point(citation, day, sentence.text))
        return _Tied(list(points.values()), rejected)

    def _fall_back(self, query: Query, reason: str, key: str, dropped: int, run: Run) -> Answer:
        log.info("LLM composition not used (%s); composing extractively", reason)
        answer = self.fallback.ask(query)
        return replace(answer, notes=[*answer.notes, messages.LLM_FALLBACK.format(reason=reason)],
                       dropped_citations=answer.dropped_citations + dropped, llm=run.trace(key))


def _whole(citation: Citation | None, text: str) -> Citation | None:
    """The citation widened to the whole sentence(s) it touches: a point quotes sentences, so that
    what is shown holds the model's sentence (the prompt asks for one; models quote less)."""
    if citation is None:
        return None
    start, end = whole_sentences(text, (citation.start, citation.end))
    return replace(citation, quote=text[start:end], start=start, end=end)


def _of_the_story(story: frozenset[str], article: Article) -> bool:
    """Whether the quoted article names the story (a word of the question's story): the quote
    itself need not ("the president accepted the government's resignation")."""
    words = content_terms(article.title) | content_terms(article.text)
    return not story or any(any(same_word(t, w) for w in words) for t in story)


def _day(dates: Sequence[DateMention], published: date | None) -> date | None:
    """The first day the quote names that is not after its article, else its article's date."""
    return next((m.value for m in dates if m.precision == "day" and (published is None or m.value <= published)),
                published)


def _ordered(shape: Shape, points: list[Point]) -> list[Point]:
    """A timeline oldest first (one event a day), the latest newest first; other shapes as the
    model wrote them."""
    if shape not in (Shape.TIMELINE, Shape.LATEST):
        return points
    dated = sorted((p for p in points if p.date), key=lambda p: p.date or date.min, reverse=shape is Shape.LATEST)
    if shape is Shape.TIMELINE:
        dated = [p for n, p in enumerate(dated) if n == 0 or p.date != dated[n - 1].date]
    return dated + [p for p in points if not p.date]


def _reasons(rejected: Counter[str]) -> str:
    return ", ".join(text.format(count=rejected[reason]) for reason, text in messages.LLM_REJECTED.items()
                     if rejected[reason])
