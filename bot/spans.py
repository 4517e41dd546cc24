"""Short answers: the smallest span of a supporting sentence that answers the question's type."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.extractive_terms import content_terms
from bot.question import AnswerType

Span = tuple[int, int]  # offsets inside the sentence

_WORD = re.compile(r"[\w’'.&-]+|[“”\"]")
_CONNECTORS = {"of", "the", "de", "del", "da", "la", "le", "van", "von", "and", "&", "for", "on", "al", "bin", "el"}
_LEADING = {
    "the", "a", "an", "on", "in", "at", "but", "and", "this", "that", "it", "he", "she", "they", "we",
    "his", "her", "their", "its", "as", "after", "when", "while", "if", "by", "for", "from", "to",
    "with", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "some",
    "many", "most", "more", "all", "both", "last", "next", "earlier", "later", "meanwhile", "however",
    "according", "reportedly", "there", "these", "those", "what", "who", "which", "mr", "mrs", "ms",
    "dr", "so", "also", "now", "then", "today", "yesterday", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may",
    "june", "july", "august", "september", "october", "november", "december", "image", "photo",
}
_QUOTED = re.compile(r"[“\"]([^”\"]{2,80})[”\"]")
_NUMBER = re.compile(
    r"(?:[$€£]\s?)?\b\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|per cent|million|billion|trillion|thousand|bn|m)\b)?"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens|hundreds|thousands)\b",
    re.IGNORECASE,
)
_REASONS = [  # strong markers first: "because" beats a temporal "after"
    re.compile(
        r"\b(?:because of|because|due to|as a result of|in response to|in protest (?:at|against|over)|"
        r"protesting (?:against|over|at)?|to protest(?: against)?|over concerns? (?:about|over)|owing to|"
        r"in order to|so that|with the aim of|aimed at|in a bid to)\s+",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:amid|after|following|over)\s+", re.IGNORECASE),
]


@dataclass(frozen=True)
class SpanCandidate:
    start: int
    end: int
    text: str


def _capitalised(token: str) -> bool:
    return token[:1].isupper() or (token[:1].isdigit() and any(c.isalpha() for c in token))


def entity_spans(sentence: str) -> list[Span]:
    """Runs of capitalised words ("Nur-Sultan", "Collective Security Council", "BA.5"), with
    connectors inside ("Prince and Princess of Wales"), and quoted titles ("“Squid Game”")."""
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(sentence)]
    spans: list[Span] = []
    i = 0
    while i < len(tokens):
        if not _capitalised(tokens[i][2]) or tokens[i][2] in "“”\"":
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and _joined(sentence, tokens[j - 1], tokens[j]):
            word = tokens[j][2]
            if _capitalised(word):
                j += 1
            elif (word.lower() in _CONNECTORS and j + 1 < len(tokens) and _capitalised(tokens[j + 1][2])
                  and _joined(sentence, tokens[j], tokens[j + 1])):
                j += 2
            else:
                break
        run = tokens[i:j]
        while run and run[0][2].lower().strip(".") in _LEADING:
            run = run[1:]
        while run and run[-1][2].lower() in _CONNECTORS:
            run = run[:-1]
        if run:
            start, end = run[0][0], run[-1][1]
            text = re.sub(r"(’s|'s|[.,’'])$", "", sentence[start:end])
            spans.append((start, start + len(text)))
        i = j
    for m in _QUOTED.finditer(sentence):
        spans.append((m.start(1), m.end(1)))
    return list(dict.fromkeys(spans))


def _joined(sentence: str, left: tuple[int, int, str], right: tuple[int, int, str]) -> bool:
    """Two words belong to one name only when nothing but spaces stands between them."""
    return sentence[left[1] : right[0]].isspace() and not left[2].endswith(",")


def number_spans(sentence: str, with_unit: bool) -> list[Span]:
    spans = []
    for m in _NUMBER.finditer(sentence):
        end = m.end()
        if with_unit:
            unit = re.match(r"\s+([a-zA-Z-]+)", sentence[end:])
            if unit and unit.group(1).lower() not in _LEADING | _CONNECTORS | {"were", "was", "are", "is"}:
                end += unit.end()
        spans.append((m.start(), end))
    return spans


def reason_span(sentence: str) -> Span | None:
    m = _REASONS[0].search(sentence) or _REASONS[1].search(sentence)
    if not m:
        return None
    tail = sentence[m.end():]
    cut = re.search(r"[.;]\s|[.;]$|,\s+(?:which|who|where|but|while|and the)\b", tail)
    end = m.end() + (cut.start() if cut else len(tail.rstrip(".")))
    return (m.start(), end) if end - m.end() > 2 else None


def candidates(sentence: str, kind: AnswerType, question_terms: frozenset[str]) -> list[SpanCandidate]:
    """Spans of `sentence` that could answer a question of `kind`, minus restatements of the question."""
    if kind in (AnswerType.NUMBER, AnswerType.QUANTITY):
        spans = number_spans(sentence, with_unit=kind is AnswerType.QUANTITY)
    elif kind is AnswerType.REASON:
        found = reason_span(sentence)
        spans = [found] if found else []
    elif kind in (AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.PLACE, AnswerType.ENTITY):
        spans = [s for s in entity_spans(sentence) if not sentence[s[0]:s[1]].replace(",", "").strip().isdigit()]
    else:
        return []
    out: list[SpanCandidate] = []
    for start, end in spans:
        text = sentence[start:end]
        terms = content_terms(text)
        if kind not in (AnswerType.NUMBER, AnswerType.QUANTITY, AnswerType.REASON) and (
            not terms or terms <= question_terms
        ):
            continue  # the question's own words are not its answer
        out.append(SpanCandidate(start, end, text))
    return out


def proximity(sentence: str, span: Span, question_terms: frozenset[str]) -> float:
    """1 near the question's words in the sentence, falling with distance (in words)."""
    positions = [m.start() for m in re.finditer(r"[\w’']+", sentence)
                 if content_terms(m.group()) & question_terms and not span[0] <= m.start() < span[1]]
    if not positions:
        return 0.3
    words_between = min(len(re.findall(r"\s+", sentence[min(p, span[0]):max(p, span[0])])) for p in positions)
    return 1.0 / (1.0 + words_between / 6.0)
