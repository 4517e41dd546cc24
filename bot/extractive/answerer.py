"""The default answerer: no LLM, no API key.

It reads the best passages sentence by sentence, scores each sentence against the question
(meaning, shared words, retrieval rank), abstains when even the best is weak, and otherwise
answers with the shortest span of the type the question asks for (a resolved date, a name, a
number...) together with the sentence(s) that support it, quoted exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer import Answer, Answerer
from bot.evidence import without_addressed
from bot.extractive import tuning
from bot.extractive.candidates import Candidate, gather, key_of
from bot.extractive.choices import ChoiceEvidence, choice_evidence, hand_set_scores, pick_choice
from bot.extractive.fit import is_name, type_fit
from bot.extractive.ranker import Context, RankerModel, feature_rows, nesting
from bot.extractive.sentences import Sentence, score_sentences, split_passages
from bot.extractive.spans import candidates, continuation_span, proximity
from bot.query import Query, composed
from bot.settings import AnswerSettings
from index.archive import ArticleLookup
from index.encoders.embedder import Embedder
from index.models import Passage
from index.retrieval import Retriever
from language.dates import DateMention, resolve_dates
from language.gazetteer import person_name
from language.kinds import KINDS, AnswerType, Form
from language.question import QuestionInfo
from language.terms import content_terms, is_quoted


@dataclass(frozen=True)
class Reading:
    """What the answerer read for a question: the passages retrieved (their articles, in order)
    and the sentences of the best of them, scored as evidence, best first."""

    passages: list[Passage]
    retrieved: list[str]
    sentences: list[Sentence]


class ExtractiveAnswerer:
    def __init__(
        self, retriever: Retriever, reader: Embedder, settings: AnswerSettings, articles: ArticleLookup,
        ranker: RankerModel | None = None, composer: Answerer | None = None,
    ) -> None:
        self.retriever = retriever
        self.reader = reader  # compares sentences with the question (see `AnswerSettings.reader`)
        self.settings = settings
        self.articles = articles
        self.ranker = ranker  # None: the hand-set votes pick short answers
        self.composer = composer  # answers the composed shapes (bot/compose/); None: every query a factoid

    def read(self, query: Query) -> Reading:
        found = self.retriever.search(query, max(tuning.RETRIEVED, self.settings.passages))
        retrieved = list(dict.fromkeys(p.article_id for p in found))
        passages = without_addressed(found)  # text addressed to machines is never evidence
        sentences = score_sentences(query.info, split_passages(passages[: self.settings.passages]), self.reader)
        return Reading(passages, retrieved, sentences)

    def candidates(self, query: Query, sentences: Sequence[Sentence]) -> tuple[list[Candidate], Context]:
        """The candidate answers of the best sentences, and what the ranker measures them against."""
        info = query.info
        read = sentences[: tuning.SENTENCES_READ]
        found = gather(info, read)
        focus: dict[str, float] = {}
        if info.focus and found and _asks_for_a_thing(info):
            texts = [c.text for c in found[: tuning.FOCUS_CANDIDATES]]
            vectors = self.reader.embed([info.focus, *texts])
            focus = {c.key: max(0.0, float(sim)) for c, sim in zip(found, vectors[1:] @ vectors[0])}
        top = max((s.passage.relevance for s in sentences), default=1.0)
        longer, shorter = nesting([c.key for c in found])
        votes = self._votes(info, read)[0] if found else {}
        return found, Context(info, query.as_of, top, focus, longer, shorter, len(read), votes)

    def ranked(self, query: Query, sentences: Sequence[Sentence]) -> list[tuple[Candidate, float]]:
        """The candidate spans with the ranker's probabilities, most likely first."""
        if self.ranker is None:
            return []
        found, context = self.candidates(query, sentences)
        probabilities = self.ranker.probabilities(feature_rows(found, context))
        return sorted(zip(found, (float(p) for p in probabilities)), key=lambda pair: -pair[1])

    def choice_evidence(self, query: Query, reading: Reading) -> list[ChoiceEvidence]:
        """What the archive says for each of the query's choices (see `choices.choice_evidence`)."""
        named = {
            c: split_passages(without_addressed(self.retriever.keyword_search(
                query.narrowed(f"{query.text} {c}"), tuning.CHOICE_PASSAGES)))
            for c in query.choices if c.strip()
        }
        ranked = [(c.text, p) for c, p in self.ranked(query, reading.sentences)]
        return choice_evidence(query, reading.passages, reading.sentences, named, ranked)

    def ask(self, query: Query) -> Answer:
        if self.composer is not None and composed(query):
            return self.composer.ask(query)
        info = query.info
        reading = self.read(query)
        retrieved, sentences = reading.retrieved, reading.sentences
        base = Answer(query.text, None, [], as_of=query.as_of, retrieved=retrieved)
        if not sentences:
            return base
        best = sentences[0]
        if query.choices:
            evidence = self.choice_evidence(query, reading)
            scorer = self.ranker.choice_scores if self.ranker else hand_set_scores
            return pick_choice(base, query, evidence, sentences, scorer)
        if best.score < self.settings.min_score:
            return Answer(query.text, None, [], as_of=query.as_of, score=best.score, retrieved=retrieved)
        ranked = self._ranked_answer(query, sentences) if self.ranker and KINDS[info.kind].ranked else None
        short, support = ranked or self._short_answer(info, sentences)
        citations = [s.citation() for s in support]
        return Answer(
            query.text, short, citations, as_of=query.as_of, sentence=support[0].text,
            score=support[0].score, retrieved=retrieved,
        )

    def _ranked_answer(self, query: Query, sentences: list[Sentence]) -> tuple[str, list[Sentence]] | None:
        """The candidate the learned ranker scores highest, with its sentence; None when no
        candidate is likely enough to be the answer (the sentence is then the honest answer)."""
        assert self.ranker is not None
        ranked = self.ranked(query, sentences)
        if not ranked or ranked[0][1] < self.ranker.answer_threshold:
            return None
        chosen = ranked[0][0]
        sentence = chosen.best.sentence
        others = [m.sentence for m in chosen.mentions if m.sentence.passage.article_id != sentence.passage.article_id]
        return chosen.text, [sentence, *others[:1]]

    def _short_answer(self, info: QuestionInfo, sentences: list[Sentence]) -> tuple[str, list[Sentence]]:
        """The answer span and the sentences that support it (best first), by hand-set votes."""
        best = sentences[0]
        top = sentences[: tuning.SENTENCES_READ]
        if info.kind is AnswerType.DATE:
            dated = self._date_answer(info, top)
            if dated is not None:
                return dated[0].formatted(), [dated[1]]
            return best.text, [best]
        if info.kind is AnswerType.YESNO:
            return best.text, [best]
        if info.kind is AnswerType.CONTINUATION:
            lead = info.asking.rstrip(":.… ")
            for sentence in top:
                completion = continuation_span(sentence.text, lead)
                if completion:
                    return sentence.text[completion[0]:completion[1]], [sentence]
            return best.text, [best]
        votes, fits, where = self._votes(info, top)
        if not votes:
            return best.text, [best]
        key = max(votes, key=lambda k: votes[k])
        if fits[key] < tuning.MIN_TYPE_FIT:  # no span of the right kind: the sentence is the honest answer
            return best.text, [best]
        sentence, text = where[key]
        words = set(key.split())
        support = [sentence] + [
            s for s in top
            if s.passage.article_id != sentence.passage.article_id and words <= content_terms(s.text)
        ][:1]
        return text, support

    def _votes(self, info: QuestionInfo, top: Sequence[Sentence]) -> tuple[
            dict[str, float], dict[str, float], dict[str, tuple[Sentence, str]]]:
        """The hand-set votes for each span (by key), its type fit, and its best sentence."""
        # A span's evidence: its best sentence in each article, summed over articles, so that
        # independent reports agree but one article repeating its topic does not outvote them.
        # Only sentences that are evidence in their own right vote: a name from a weak sentence
        # is a confident wrong answer where the best sentence names none.
        phrases = _asks_for_a_thing(info, phrases=True)
        found = [
            (rank, sentence, span)
            for rank, sentence in enumerate(top)
            if sentence.score >= self.settings.min_score
            for span in candidates(sentence.text, info.kind, info.terms, phrases=phrases)
        ]
        kind_fit = self._focus_fit(info, [span.text for _, _, span in found])
        # Ordinary words are candidates only when they are clearly the kind of thing asked for.
        if kind_fit:
            found = [f for f in found if is_name(f[2].text) or kind_fit.get(f[2].text, 0.0) >= tuning.PHRASE_MIN_FIT]
        per_article: dict[tuple[str, str], float] = {}
        fits: dict[str, float] = {}
        where: dict[str, tuple[Sentence, str]] = {}
        for rank, sentence, span in found:
            text = person_name(span.text) if KINDS[info.kind].answer is Form.PERSON else span.text
            key = key_of(text)
            fits[key] = type_fit(info, text, quoted=is_quoted(sentence.text, span.start))
            # "President of Kazakhstan Kassym-Jomart Tokayev": the title is the question's, the name right by it.
            start = span.end - len(text) if span.text.endswith(text) else span.start
            weight = sentence.score * proximity(sentence.text, (start, span.end), info.terms)
            focus = kind_fit.get(span.text, tuning.FOCUS_FLOOR if kind_fit else 1.0)
            weight *= fits[key] * focus / (1.0 + tuning.RANK_DECAY * rank)
            slot = (key, sentence.passage.article_id)
            per_article[slot] = max(per_article.get(slot, 0.0), weight)
            if key not in where or where[key][0].score < sentence.score:
                where[key] = (sentence, text)
        votes: dict[str, float] = {}
        for (key, _), weight in per_article.items():
            votes[key] = votes.get(key, 0.0) + weight
        return votes, fits, where

    def _focus_fit(self, info: QuestionInfo, texts: Sequence[str]) -> dict[str, float]:
        """How much each span is the kind of thing the question names ("which bird?": "barn
        owl" is, "nesting season" is not), by meaning; empty when it names none."""
        texts = list(dict.fromkeys(texts))[: tuning.FOCUS_CANDIDATES]
        if not info.focus or not texts or not _asks_for_a_thing(info):
            return {}
        vectors = self.reader.embed([info.focus, *texts])
        return {t: tuning.FOCUS_FLOOR + max(0.0, float(sim)) for t, sim in zip(texts, vectors[1:] @ vectors[0])}

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


def _asks_for_a_thing(info: QuestionInfo, phrases: bool = False) -> bool:
    """"Which bird / which show / what product": the answer is a thing the question names.
    With `phrases`: one that may well be ordinary words (not an organisation or a place)."""
    forms = (Form.NAME,) if phrases else (Form.NAME, Form.ORGANIZATION, Form.PLACE)
    return KINDS[info.kind].answer in forms and bool(info.focus)
