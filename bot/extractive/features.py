"""What each candidate answer looks like as numbers: the learned ranker's features
(bot/extractive/ranker.py scores them; bot/extractive/ranker_fit.py learns from them).

`Measuring.measure` gathers a question's candidate spans from the sentences read and what they are
measured against; `feature_rows` turns them into the ranker's input, in the order of `FEATURES`.
A feature added or changed here needs the model retrained (`newsdesk train-ranker`); until then
the shipped model does not fit, and the hand-set votes score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.extractive import tuning
from bot.extractive.candidates import Candidate, Mention, gather
from bot.extractive.fit import asks_for_a_thing, is_name, type_fit
from bot.extractive.reading import Sentence
from bot.extractive.scoring import Votes
from bot.extractive.spans import proximity
from bot.query import Query
from index.encoders.embedder import Embedder
from language.kinds import KINDS, Group
from language.question import QuestionInfo
from language.terms import content_terms, is_quoted

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
