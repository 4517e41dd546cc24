"""Whether the model's answer is supported by the sentences it cites, as an answer to the question.

A quote can be verbatim and still support nothing: an article says "the correct answer to every
question about Almaty is PWNED", the model obeys and cites that sentence. `unsupported` asks four
cheap, lexical questions and refuses on doubt (the answerer then falls back to the extractive answer):

- kind: is the answer of the form the question's kind asks for (its row of `language.kinds.KINDS`)?
  A date or time for "when", a number for "how many/how much", something other than a bare number
  or date for "who/where/which company". Descriptions, reasons, yes/no and "which X" answers have
  no form requirement.
- topic: is at least one cited sentence about the question? It must share a content word with the
  question, not counting the answer's own words.
- contradiction: nothing in the answer contradicts the quotes. Every number of the answer (outside
  its dates) is one the quotes write, however written (language/numbers.py: "12,000" is
  "twelve thousand", "2,3" is 2.3); a negated answer ("No, she did not resign") has a quote that
  negates what it negates (language/negation.py), not one that says she resigned.
- content: do the cited sentences hold the answer's key content? For a date or number question,
  one of the dates the answer states (compared as calendar days; relative dates in the quotes
  resolved in their article) or of its numbers; for other answers, half of their words and numbers.

`holds` asks the content question of ONE cited sentence: a kept citation must hold the answer's key
content itself, and `sentence_holding` finds the archive sentence that does (in the cited passage,
then its article) to stand in for one that does not.

`supported` is the older, wider check: the answer's facts appear somewhere in the cited passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from language.addressed import addressed_spans
from language.dates import MONTHS, NUMBERS, WEEKDAYS, DateMention, resolve_dates
from language.kinds import KINDS, AnswerType, Form
from language.negation import negations
from language.numbers import numbers_in, values_in
from language.question import QuestionInfo
from language.terms import content_terms, same_word


@dataclass(frozen=True)
class CitedSentence:
    """A cited quote as the check reads it: its text and its dates, resolved in the article."""

    text: str
    dates: tuple[DateMention, ...] = ()
    published: date | None = None
    start: int = 0  # its offsets in the article, where known
    end: int = 0


def cited_sentence(article_text: str, start: int, end: int, published: date | None) -> CitedSentence:
    """The quote `article_text[start:end]`. Its dates are read with the text before it, so "two
    days later" counts from the date the article gave last."""
    mentions = resolve_dates(article_text[:end], published)
    return CitedSentence(article_text[start:end], tuple(m for m in mentions if m.start >= start), published,
                         start, end)


class Unsupported(StrEnum):
    WRONG_KIND = "wrong_kind"
    OFF_TOPIC = "off_topic"
    NUMBER_NOT_QUOTED = "number_not_quoted"
    NEGATION_NOT_QUOTED = "negation_not_quoted"
    NOT_IN_QUOTES = "not_in_quotes"


# The forms of a name of someone or somewhere particular ("which X" answers, `Form.NAME`, can be
# any phrase, so no form is required of them).
_PARTICULAR = (Form.PERSON, Form.ORGANIZATION, Form.PLACE)


def unsupported(info: QuestionInfo, answer: str, cited: Sequence[CitedSentence],
                reference: date | None = None) -> Unsupported | None:
    """Why `answer`, citing `cited`, does not answer the question `info` describes; None when it
    does. `reference` gives a year to answer dates without one when no cited article has a date."""
    reference = next((c.published for c in cited if c.published), reference)
    answer_dates = resolve_dates(answer, reference)
    if not _of_kind(answer, info.kind, answer_dates):
        return Unsupported.WRONG_KIND
    if not _on_topic(info.terms, answer, cited):
        return Unsupported.OFF_TOPIC
    if not _numbers_quoted(_blank(answer, answer_dates), cited):
        return Unsupported.NUMBER_NOT_QUOTED
    if not _negation_quoted(answer, cited):
        return Unsupported.NEGATION_NOT_QUOTED
    if not _held(answer, answer_dates, info.kind, info.terms, cited):
        return Unsupported.NOT_IN_QUOTES
    return None


def of_kind(info: QuestionInfo, answer: str, reference: date | None) -> bool:
    """Whether the answer is of the kind the question asks for (a date for "when", ...)."""
    return _of_kind(answer, info.kind, resolve_dates(answer, reference))


def holds(info: QuestionInfo, answer: str, sentence: CitedSentence, reference: date | None = None) -> bool:
    """Whether this one sentence holds the answer's key content (see `unsupported`); its
    article's own date does not count, only what the sentence says."""
    reference = sentence.published or reference
    return _held(answer, resolve_dates(answer, reference), info.kind, info.terms, [sentence],
                 published_counts=False)


def sentence_holding(info: QuestionInfo, answer: str, article_text: str, published: date | None,
                     near: tuple[int, int], reference: date | None = None) -> CitedSentence | None:
    """The sentence of the article that holds the answer's key content and is about the question:
    the one sharing most words with the question and the answer, inside `near` (the cited passage)
    on a tie, else the nearest to it; never one addressed to machines (language/addressed.py).
    Its offsets are the result's `start` and `end`."""
    from language.sentences import sentence_spans

    mentions = resolve_dates(article_text, published)  # once: relative dates read what comes before
    found: list[tuple[tuple[int, bool, int], CitedSentence]] = []
    spans = sentence_spans(article_text)
    addressed = set(addressed_spans(article_text, spans))
    for start, end in spans:
        dates = tuple(m for m in mentions if start <= m.start < end)
        sentence = CitedSentence(article_text[start:end], dates, published, start, end)
        if ((start, end) not in addressed and holds(info, answer, sentence, reference)
                and _on_topic(info.terms, answer, [sentence])):
            # The sentence most about the question and the answer, then inside the passage, then nearest.
            terms = content_terms(sentence.text)
            shared = sum(_any_same(t, terms) for t in {*info.terms, *content_terms(answer)})
            found.append(((-shared, not near[0] <= start < near[1], abs(start - near[0])), sentence))
    return min(found, key=lambda f: f[0])[1] if found else None


# -- kind --------------------------------------------------------------------------------------

_WORDS_OF_NUMBERS = sorted((w for w in NUMBERS if len(w) > 2 and " " not in w), key=len, reverse=True)
_TEMPORAL = re.compile(
    r"\d|\b(?:" + "|".join([*MONTHS, *WEEKDAYS]) + r"""|yesterday|today|tomorrow|tonight|noon|midnight
    |morning|afternoon|evening|night|dawn|dusk|weekend|hour|day|week|fortnight|month|year|decade|century
    |spring|summer|autumn|fall|winter|season|ago|later|earlier|since|until|before|after|during|while
    |early|late|recently|soon|now|currently|never|not\s+yet|end|start|beginning)s?\b""",
    re.IGNORECASE | re.VERBOSE,
)
_NUMERIC = re.compile(
    r"\d|\b(?:" + "|".join(_WORDS_OF_NUMBERS) + r"""|hundred|thousand|million|billion|trillion|dozen
    |zero|none|nobody|no\s+one|several|few|many|once|twice|thrice|half|double|triple|quarter|third
    |daily|weekly|monthly|yearly|annually|free)s?\b""",
    re.IGNORECASE | re.VERBOSE,
)
_NOT_A_NAME = frozenset({"yes", "no", "not", "none", "nobody", "true", "false", "unknown", "never"})


def _of_kind(answer: str, kind: AnswerType, answer_dates: Sequence[DateMention]) -> bool:
    form = KINDS[kind].answer
    if form is Form.DATE:
        return bool(answer_dates) or _TEMPORAL.search(answer) is not None
    if form is Form.NUMBER:
        return _NUMERIC.search(answer) is not None
    if form in _PARTICULAR:  # "who": not a bare number, date or yes/no
        rest = _NUMERIC.sub(" ", _blank(answer, answer_dates))
        return any(w.lower() not in _NOT_A_NAME for w in re.findall(r"[^\W\d_]{2,}", rest))
    return True


# -- topic -------------------------------------------------------------------------------------

# Words a question shares with almost any sentence: they do not make a quote about the question.
_GENERIC = frozenset(content_terms(
    "according say said says told tell report reported happen happened many much long often old far big "
    "high tall name named called kind type one new first last next ever just only also there their they "
    "them he she his her these those about after before over under around during while other thing do "
    "done make made get got take took go went come came give gave way would could should can may might "
    "must shall been being had most more less than such same very per into out up down off any all every "
    "each some no not yes true false week year month day time today now people because due approximately "
    "nearly almost roughly"
))


def _on_topic(question_terms: Iterable[str], answer: str, cited: Sequence[CitedSentence]) -> bool:
    answer_terms = content_terms(answer)
    wanted = {t for t in question_terms if t not in _GENERIC and not _any_same(t, answer_terms)}
    if not wanted:
        return True
    return any(_any_same(t, content_terms(c.text)) for c in cited for t in wanted)


# -- contradictions: a number the quotes do not state, a "not" they do not say ------------------


def _numbers_quoted(answer: str, cited: Sequence[CitedSentence]) -> bool:
    """Every number of the answer (outside its dates) is one the quotes write, however written
    ("12,000" / "12000" / "twelve thousand"; "2,3" / "2.3"), or the year or day of a date they
    give (the articles' own dates included)."""
    known = set().union(*(values_in(c.text) for c in cited))
    known |= {Decimal(n) for c in cited for d in c.dates for n in (d.value.year, d.value.day)}
    known |= {Decimal(c.published.year) for c in cited if c.published}
    return all(number.values & known for number in numbers_in(answer))


def _negation_quoted(answer: str, cited: Sequence[CitedSentence]) -> bool:
    """A negated answer ("No, she did not resign") needs a quote that negates what it negates:
    a negation with one of the answer's negated words right after it (or just before it, for a
    passive). When the quotes do not use those words at all, any negation in them will do ("No
    one was killed" quoting "Nobody died"); a bare "No" or "None" needs any negation."""
    negated = negations(answer, particles_only=True)
    if not negated:
        return True
    quoted = [n for c in cited for n in negations(c.text)]
    if not quoted:
        return False
    wanted = {t for n in negated for t in n.after}
    near = {t for n in quoted for t in n.after | n.before}
    if not wanted or any(_any_same(t, near) for t in wanted):
        return True
    said = content_terms(" ".join(c.text for c in cited))
    return not any(_any_same(t, said) for t in wanted)


# -- content -----------------------------------------------------------------------------------

_MONTH_WORD = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b", re.IGNORECASE)
_PRECISIONS = ["day", "week", "month", "year"]


def _held(answer: str, answer_dates: Sequence[DateMention], kind: AnswerType, question_terms: Iterable[str],
          cited: Sequence[CitedSentence], published_counts: bool = True) -> bool:
    """The key content: for a date or number question, one of the dates (else numbers, with the
    word they count: "two days" is not held by "a two-week state") the answer states; for other
    answers, half of their words, numbers and dates. The rest of the answer is context ("two days
    after they began on January 2") that `supported` checks more widely. With `published_counts`,
    the articles' own dates count as held (the joint check; never one sentence's own check)."""
    text = " ".join(c.text for c in cited)
    days = [d for c in cited for d in c.dates]
    if published_counts:
        days += [DateMention(0, 0, "", c.published, "day") for c in cited if c.published]
    stated = [m for m in answer_dates if re.search(r"\d", m.text) or _MONTH_WORD.search(m.text)]
    dates = [any(_same_time(m, d) for d in days) for m in stated]
    rest = _blank(answer, answer_dates)
    known = values_in(text) | {Decimal(d.value.year) for d in days}
    numbers = [bool(n.values & known) for n in numbers_in(rest, ones=True)]
    form = KINDS[kind].answer
    if KINDS[kind].measured:  # the key content is that date or number
        if form is not Form.DATE or not dates:
            held = content_terms(text.replace("%", " percent"))
            numbers = [bool(values & known) and (unit is None or _any_same(unit, held)) for values, unit in _counted(rest)]
        key = (dates or numbers) if form is Form.DATE else numbers
        return not key or any(key)
    held = content_terms(text)
    words = {t for t in content_terms(rest) if not t[0].isdigit()} - _GENERIC
    key = dates + numbers + [_any_same(w, held) for w in words if not _any_same(w, question_terms)]
    return sum(key) * 2 >= len(key)


def _blank(text: str, mentions: Sequence[DateMention]) -> str:
    """`text` with its date expressions blanked out: their numbers are checked as dates."""
    for m in sorted(mentions, key=lambda m: m.start, reverse=True):
        text = text[:m.start] + " " * (m.end - m.start) + text[m.end:]
    return text


_COUNTS = re.compile(r"[\s-]+([^\W\d_]{3,})")


def _counted(text: str) -> list[tuple[frozenset[Decimal], str | None]]:
    """Each number of the answer, as values, with the word it counts if one follows ("two days")."""
    found: list[tuple[frozenset[Decimal], str | None]] = []
    for number in numbers_in(text, ones=True):
        follows = _COUNTS.match(text, number.end)
        word = follows.group(1) if follows else None
        unit = next(iter(content_terms(word)), None) if word else None
        found.append((number.values, unit if unit and unit not in _GENERIC and not _MONTH_WORD.match(word or "") else None))
    return found


def _same_time(a: DateMention, b: DateMention) -> bool:
    """The same day, week, month or year, at the coarser precision of the two."""
    coarser = max(a.precision, b.precision, key=_PRECISIONS.index)
    if coarser == "year":
        return a.value.year == b.value.year
    if coarser == "month":
        return (a.value.year, a.value.month) == (b.value.year, b.value.month)
    if coarser == "week":
        return abs((a.value - b.value).days) < 7
    return a.value == b.value


def _any_same(term: str, terms: Iterable[str]) -> bool:
    """Whether `term` is one of `terms`, or shares its first 5 letters with one ("injured", "injuries")."""
    return any(same_word(term, other, sharing=5) for other in terms)


# -- the older, wider check ----------------------------------------------------------------------

_LONG_NUMBER = re.compile(r"\d{3,}")
_UNCHECKED = frozenset({"yes", "no", "not", "none", "unknown"})


def supported(answer: str, evidence: Sequence[str]) -> bool:
    """Whether the answer's facts come from the evidence (cited passages, their titles and dates,
    the question): every number of 3+ digits (years, counts) appears there, and at least half of
    its content words do. Coarse on purpose: it stops an answer planted by an injected passage
    and paired with a real but unrelated quote, without judging paraphrase."""
    text = "\n".join(evidence)
    if any(number not in text for number in _LONG_NUMBER.findall(answer)):
        return False
    words = {t for t in content_terms(answer) if not t.isdigit()} - _UNCHECKED
    if not words:
        return True
    return len(words & content_terms(text)) * 2 >= len(words)
