"""What a candidate answer is measured by, for both scorers: how well its form fits the kind
asked for (`type_fit`: the form of a right answer is the kind's row in `language.kinds.KINDS`),
how close it sits to the question's words (`proximity`), the hand-set votes (`Votes`, whose
weights are in bot/extractive/tuning.py) and the learned ranker's features
(bot/extractive/ranker.py scores them; bot/extractive/ranker_fit.py learns from them).

`Measuring.measure` gathers a question's candidate spans from the sentences read and what they are
measured against, the votes among them; `feature_rows` turns them into the ranker's input, in the
order of `FEATURES`. A feature added or changed here needs the model retrained (`newsdesk
train-ranker`); until then the shipped model does not fit, and the hand-set votes score.
Question-side facts come precomputed in `QuestionInfo`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.extractive import tuning
from bot.extractive.candidates import Candidate, Mention, gather, key_of
from bot.extractive.reading import Sentence
from bot.extractive.scoring import ChoiceModel, Pick
from bot.extractive.spans import Span, candidates
from bot.query import Query
from index.encoders.embedder import Embedder
from language.gazetteer import (
    is_country_or_state,
    is_organization,
    is_place,
    looks_like_person,
    person_name,
)
from language.kinds import KINDS, Form, Group
from language.question import QuestionInfo
from language.terms import content_terms, is_quoted

# -- type fit: does a span's form fit the kind asked for ------------------------------------------

_MONEY = re.compile(r"[$£€¥]|\b(dollars?|pounds?|euros?|yen|bn|billion|million|trillion)\b", re.I)
_SHARE = re.compile(r"%|\bper ?cent")
_AND = re.compile(r"\s+(?:and|&)\s+")


def type_fit(info: QuestionInfo, text: str, quoted: bool = False) -> float:
    """Above 1 for a span that clearly is what is asked for, 1 for a plausible one, below
    `tuning.MIN_TYPE_FIT` for one of the wrong kind."""
    if KINDS[info.kind].named and info.several:  # "which two countries...?"
        parts = _AND.split(text)
        if len(parts) == 1:
            return tuning.ONE_OF_SEVERAL_FIT * _form_fit(info, text, quoted)
        return min(_form_fit(info, part, quoted) for part in parts)
    return _form_fit(info, text, quoted)


def is_name(text: str) -> bool:
    return any(c.isupper() or c.isdigit() for c in text)


def _form_fit(info: QuestionInfo, text: str, quoted: bool) -> float:
    form = KINDS[info.kind].answer
    if form is Form.NUMBER:
        # "How many members...": "353 members" counts the right thing.
        counted = {t for t in content_terms(text) if not t[:1].isdigit()} & info.terms
        fit = tuning.COUNTED_FIT if counted else 1.0
        if info.share and not _SHARE.search(text):
            fit *= tuning.WRONG_MEASURE_FIT  # "what percentage...?" is not answered by a count
        elif info.money and not _MONEY.search(text):
            fit *= tuning.NOT_MONEY_FIT
        if re.fullmatch(r"(19|20)\d\d", text) and not info.years:
            fit *= tuning.BARE_YEAR_FIT  # a bare year is rarely a count
        return fit
    if form is Form.PERSON:
        if is_organization(text) or is_place(text) or text.isupper():  # "TV", "CNN" are not people
            return tuning.NOT_A_PERSON_FIT
        return 1.0 if looks_like_person(text) else tuning.MAYBE_PERSON_FIT
    if form is Form.PLACE:
        if is_place(text):
            # A country is not the answer to "which city?", nor a city to "which country?".
            return tuning.WRONG_MEASURE_FIT if info.city and is_country_or_state(text) else 1.0
        return tuning.NOT_A_PLACE_FIT if is_organization(text) or looks_like_person(text) else tuning.MAYBE_PLACE_FIT
    if form is Form.ORGANIZATION:
        if is_organization(text):
            return 1.0
        return tuning.PLACE_FOR_ORG_FIT if is_place(text) else tuning.MAYBE_ORG_FIT
    if form is Form.NAME:
        if quoted:
            return tuning.QUOTED_FIT
        return 1.0 if is_name(text) else tuning.PHRASE_FIT
    return 1.0


def asks_for_a_thing(info: QuestionInfo, phrases: bool = False) -> bool:
    """"Which bird / which show / what product": the answer is a thing the question names.
    With `phrases`: one that may well be ordinary words (not an organisation or a place)."""
    forms = (Form.NAME,) if phrases else (Form.NAME, Form.ORGANIZATION, Form.PLACE)
    return KINDS[info.kind].answer in forms and bool(info.focus)


# -- proximity: how close a span sits to the question's words ------------------------------------

def proximity(sentence: str, span: Span, question_terms: frozenset[str]) -> float:
    """1 near the question's words in the sentence, falling with distance (in words)."""
    positions = [m.start() for m in re.finditer(r"[\w’']+", sentence)
                 if content_terms(m.group()) & question_terms and not span[0] <= m.start() < span[1]]
    if not positions:
        return tuning.PROXIMITY_NONE
    words_between = min(len(re.findall(r"\s+", sentence[min(p, span[0]):max(p, span[0])])) for p in positions)
    return 1.0 / (1.0 + words_between / tuning.PROXIMITY_WORDS)


# -- the hand-set votes -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Tally:
    """The hand-set votes for each span (by key), its type fit, and its best sentence."""

    votes: dict[str, float]
    fits: dict[str, float]
    where: dict[str, tuple[Sentence, str]]

    def best(self, top: Sequence[Sentence]) -> Pick | None:
        """The span with the most votes, and a sentence of another article that says it too;
        None when no span is of the right kind."""
        if not self.votes:
            return None
        key = max(self.votes, key=lambda k: self.votes[k])
        if self.fits[key] < tuning.MIN_TYPE_FIT:  # no span of the right kind: the sentence is the honest answer
            return None
        sentence, text = self.where[key]
        words = set(key.split())
        others = [s for s in top if s.passage.article_id != sentence.passage.article_id and words <= content_terms(s.text)]
        return Pick(text, (sentence, *others[:1]))


class Votes:
    """The hand-set scorer: the spans of the best sentences vote, each with its sentence's
    evidence score, how close it sits to the question's words, how well it fits the kind asked
    for and, for "which bird?", how much it is the thing the question names."""

    def __init__(self, encoder: Embedder, min_score: float) -> None:
        self.encoder = encoder  # compares spans with what the question names
        self.min_score = min_score  # only sentences that are evidence in their own right vote
        self.choice_model: ChoiceModel | None = None  # choices mode: the hand-set scores

    def best(self, query: Query, sentences: Sequence[Sentence]) -> Pick | None:
        top = sentences[: tuning.SENTENCES_READ]
        return self.tally(query.info, top).best(top)

    def probabilities(self, query: Query, sentences: Sequence[Sentence]) -> list[tuple[str, float]]:
        return []  # votes are weights, not probabilities


    def tally(self, info: QuestionInfo, top: Sequence[Sentence]) -> Tally:
        """The votes of the spans of `top` (the best sentences, best first)."""
        # A span's evidence: its best sentence in each article, summed over articles, so that
        # independent reports agree but one article repeating its topic does not outvote them.
        # Only sentences that are evidence in their own right vote: a name from a weak sentence
        # is a confident wrong answer where the best sentence names none.
        phrases = asks_for_a_thing(info, phrases=True)
        found = [
            (rank, sentence, span)
            for rank, sentence in enumerate(top)
            if sentence.score >= self.min_score
            for span in candidates(sentence.text, info.kind, info.terms, phrases=phrases)
        ]
        kind_fit = self.focus_fit(info, [span.text for _, _, span in found])
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
        return Tally(votes, fits, where)

    def focus_fit(self, info: QuestionInfo, texts: Sequence[str]) -> dict[str, float]:
        """How much each span is the kind of thing the question names ("which bird?": "barn
        owl" is, "nesting season" is not), by meaning; empty when it names none."""
        texts = list(dict.fromkeys(texts))[: tuning.FOCUS_CANDIDATES]
        if not info.focus or not texts or not asks_for_a_thing(info):
            return {}
        vectors = self.encoder.embed([info.focus, *texts])
        return {t: tuning.FOCUS_FLOOR + max(0.0, float(sim)) for t, sim in zip(texts, vectors[1:] @ vectors[0])}


# -- the learned ranker's features ----------------------------------------------------------------

# The spaCy labels that are the kind of thing each answer type asks for, and the kinds' groups for
# the few features whose weight depends on what is asked: rows of `language.kinds.KINDS`.
FEATURE_GROUPS = tuple(group.value for group in Group)
# spaCy labels whose own prior is learned (a nationality rarely answers; a person often does).
_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "DATE", "CARDINAL", "MONEY", "PERCENT", "QUANTITY",
           "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "ORDINAL")
_PER_GROUP = ("label_expected", "from_entity", "from_phrase", "from_rule", "type_fit", "focus")
OWN_FEATURES: tuple[str, ...] = (  # what one candidate is, on its own
    "sentence_score", "rank", "articles", "mentions", "relevance", "recency",
    "type_fit", "label_expected", "label_other", "from_entity", "from_phrase", "from_rule",
    "proximity", "question_words", "position", "tokens", "capitalised", "digits", "quoted",
    "focus", "has_focus", "evidence", "sentences", "part_of_longer", "holds_shorter", "first_sentence",
    "focus_words", "ubiquity", "votes",
    *(f"label:{label}" for label in _LABELS),
    *(f"{g}:{f}" for g in FEATURE_GROUPS for f in _PER_GROUP),
)
# Features also measured against the question's other candidates: a share of the best value
# among them, and whether this one has it (a ranking is relative; a probability alone is not).
_RELATIVE = ("votes", "sentence_score", "evidence", "mentions", "articles", "focus", "proximity", "relevance",
             "type_fit", "rank")
FEATURES: tuple[str, ...] = (*OWN_FEATURES, *(f"{n}/best" for n in _RELATIVE), *(f"{n}:best" for n in _RELATIVE))


@dataclass(frozen=True)
class Context:
    """What every candidate of one question is measured against."""

    info: QuestionInfo
    as_of: date
    top_relevance: float  # the best passage relevance among the sentences read
    focus: Mapping[str, float]  # candidate key -> similarity to what the question names
    longer: frozenset[str] = frozenset()  # keys whose words are all in another candidate's key
    shorter: frozenset[str] = frozenset()  # keys that hold all the words of another candidate
    sentences_read: int = 1  # how many sentences the candidates come from
    votes: Mapping[str, float] = field(default_factory=dict)  # the hand-set votes (key -> weight)


def features(candidate: Candidate, context: Context) -> list[float]:
    info = context.info
    best = candidate.best
    sentence = best.sentence
    mentions = candidate.mentions
    kind = KINDS[info.kind]
    expected = kind.labels
    labels = {m.label for m in mentions if m.label}
    sources = {m.source for m in mentions}
    text = candidate.text
    terms = content_terms(text)
    focus_terms = content_terms(info.focus)
    published = sentence.passage.published
    age = (context.as_of - published).days if published else 365
    quoted = any(is_quoted(m.sentence.text, m.start) for m in mentions)
    values: dict[str, float] = {
        "sentence_score": sentence.score,
        "rank": 1.0 / (1.0 + best.rank),
        "articles": math.log1p(len({m.sentence.passage.article_id for m in mentions})),
        "mentions": math.log1p(len(mentions)),
        "relevance": sentence.passage.relevance / (context.top_relevance or 1.0),
        "recency": math.exp(-max(0, age) / 30.0),
        "type_fit": type_fit(info, text, quoted=quoted),
        "label_expected": float(bool(labels & expected)),
        "label_other": float(bool(labels - expected)),
        "from_entity": float("entity" in sources),
        "from_phrase": float("phrase" in sources),
        "from_rule": float("rule" in sources),
        "proximity": max(proximity(m.sentence.text, (m.start, m.end), info.terms) for m in mentions),
        # Words of the question's own subject are a poor sign ("Kazakhstan" for a question about
        # Kazakhstan); the kind of thing it asks for is a good one ("Mangystau Region": "which region").
        "question_words": len(terms & (info.terms - focus_terms)) / len(terms) if terms else 0.0,
        "focus_words": len(terms & focus_terms) / len(focus_terms) if focus_terms else 0.0,
        "position": best.start / max(1, len(sentence.text)),
        "tokens": min(len(text.split()), 8) / 8.0,
        "capitalised": float(is_name(text) and not text[:1].isdigit()),
        "digits": float(any(c.isdigit() for c in text)),
        "quoted": float(quoted),
        "focus": context.focus.get(candidate.key, 0.0),
        "has_focus": float(bool(context.focus)),
        "evidence": _evidence(mentions, info),
        "sentences": math.log1p(len({(m.sentence.passage.article_id, m.sentence.start) for m in mentions})),
        "part_of_longer": float(candidate.key in context.longer),
        "holds_shorter": float(candidate.key in context.shorter),
        "first_sentence": float(best.rank == 0),
        # The archive's topic is in most sentences read; an answer is in the few that say it.
        "ubiquity": len({m.rank for m in mentions}) / max(1, context.sentences_read),
        # What the hand-set votes of bot/extractive/tuning.py make of it: one more learned signal.
        "votes": context.votes.get(candidate.key, 0.0),
    }
    for label in _LABELS:
        values[f"label:{label}"] = float(label in labels)
    group = kind.group.value
    for name in FEATURE_GROUPS:
        for feature in _PER_GROUP:
            values[f"{name}:{feature}"] = values[feature] if name == group else 0.0
    return [values[name] for name in OWN_FEATURES]


def feature_rows(candidates: Sequence[Candidate], context: Context) -> list[list[float]]:
    """The ranker's input for every candidate of one question: `features`, then `_RELATIVE`
    against the best of the question's candidates."""
    rows = [features(c, context) for c in candidates]
    if not rows:
        return []
    columns = [OWN_FEATURES.index(n) for n in _RELATIVE]
    best = [max(row[i] for row in rows) for i in columns]
    return [
        [*row, *(row[i] / top if top > 0 else 0.0 for i, top in zip(columns, best)),
         *(float(row[i] >= top) for i, top in zip(columns, best))]
        for row in rows
    ]


def _evidence(mentions: Sequence[Mention], info: QuestionInfo) -> float:
    """Independent reports agreeing: each article's best sentence score times how close the
    span sits to the question's words there, summed over articles."""
    best: dict[str, float] = {}
    for m in mentions:
        weight = m.sentence.score * proximity(m.sentence.text, (m.start, m.end), info.terms)
        article = m.sentence.passage.article_id
        best[article] = max(best.get(article, 0.0), weight)
    return sum(best.values())


def nesting(keys: Sequence[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The keys that are part of a longer candidate ("Biden" of "Joe Biden"), and those that
    hold a shorter one."""
    words = {k: frozenset(k.split()) for k in keys}
    longer = {a for a in keys if any(words[a] < words[b] for b in keys)}
    shorter = {b for b in keys if any(words[a] < words[b] for a in keys)}
    return frozenset(longer), frozenset(shorter)



class Measuring:
    """What the ranker measures a question's candidates with: the sentence encoder (how much each
    is the kind of thing the question names) and the hand-set votes (one of its features). The
    answerer ranks with it, and training learns from it (bot/extractive/ranker_fit.py)."""

    def __init__(self, encoder: Embedder, votes: Votes) -> None:
        self.encoder = encoder
        self.votes = votes

    def measure(self, query: Query, sentences: Sequence[Sentence]) -> tuple[list[Candidate], Context]:
        """The candidate answers of the best sentences, and what they are measured against
        (`feature_rows(candidates, context)` are the ranker's input)."""
        info = query.info
        read = sentences[: tuning.SENTENCES_READ]
        found = gather(info, read)
        focus: dict[str, float] = {}
        if info.focus and found and asks_for_a_thing(info):
            texts = [c.text for c in found[: tuning.FOCUS_CANDIDATES]]
            vectors = self.encoder.embed([info.focus, *texts])
            focus = {c.key: max(0.0, float(sim)) for c, sim in zip(found, vectors[1:] @ vectors[0])}
        top = max((s.passage.relevance for s in sentences), default=1.0)
        longer, shorter = nesting([c.key for c in found])
        votes = self.votes.tally(info, read).votes if found else {}
        return found, Context(info, query.as_of, top, focus, longer, shorter, len(read), votes)
