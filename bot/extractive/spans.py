"""Short answers: the smallest span of a supporting sentence that answers the question's type."""

from __future__ import annotations

import re
from dataclasses import dataclass

from language.dates import calendar_spans
from language.gazetteer import is_organization
from language.kinds import KINDS, AnswerType, Form
from language.terms import content_terms

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
    "i", "you", "us", "our", "your", "my", "him", "them", "any", "every", "each", "other", "such",
    "no", "not", "only", "just", "even", "still", "yet", "instead", "here", "how", "why", "where",
    "see", "meet", "read", "watch", "follow", "click", "sign", "get", "like", "sept", "oct", "nov",
    "dec", "jan", "feb", "aug", "officials", "experts", "people", "police", "researchers", "scientists",
}
_NEW_NAME = frozenset({"The", "A", "An", "This", "That", "These", "Those"})
_CONTRACTION = re.compile(r"[’'](ll|re|ve|m|d)$|n[’']t$", re.IGNORECASE)


def _leading(token: str) -> bool:
    """Capitalised only because it starts a sentence, or not a name at all ("You’ll", "Fortunately,")."""
    word = token.lower().strip(".")
    return word in _LEADING or bool(_CONTRACTION.search(word))


_POSSESSIVE = re.compile(r"[’']s$")
_NAMENUMBER = re.compile(r"(?!(?:19|20)\d\d$)\d{1,4}")  # "Route 66", "Boeing 737", "Article 4"; not a year
# "(CNN) ...", "LOS ANGELES (AP) — ...": where the story was filed, not what it says.
_DATELINE = re.compile(r"\s*\([A-Za-z. ]{2,20}\)\s*|\s*[A-Z][A-Z .,'-]+(?:\([A-Za-z. ]{2,20}\))?\s*[—–]\s*")
_QUOTED = re.compile(r"[“\"]([^”\"]{2,80})[”\"]")
NUMBER = re.compile(  # "%" is not a word character: no \b after it
    r"(?:[$€£]\s?)?\b\d[\d,]*(?:\.\d+)?(?:\s?(?:%|(?:percent|per cent|million|billion|trillion|thousand|bn|m)\b))?"
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
    connectors inside ("Duke and Duchess of Elmshire"), and quoted titles ("“Night Train”")."""
    dateline = _DATELINE.match(sentence)
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(sentence, dateline.end() if dateline else 0)]
    spans: list[Span] = []
    i = 0
    while i < len(tokens):
        if not _capitalised(tokens[i][2]) or tokens[i][2] in "“”\"":
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and _joined(sentence, tokens[j - 1], tokens[j]):
            word = tokens[j][2]
            if word in _NEW_NAME:  # "Anna van Densky The Collective Security Council": two names
                break
            if _capitalised(word) or (_NAMENUMBER.fullmatch(word) and not _leading(tokens[j - 1][2])):
                j += 1
            elif (word.lower() in _CONNECTORS and j + 1 < len(tokens) and _capitalised(tokens[j + 1][2])
                  and _joined(sentence, tokens[j], tokens[j + 1])):
                j += 2
            else:
                break
        run = tokens[i:j]
        while run and _leading(run[0][2]):
            run = run[1:]
        if len(run) == 1 and run[0][2].endswith("ly") and sentence[run[0][1]:run[0][1] + 1] == ",":
            run = []  # "Fortunately, ..."
        while run and run[-1][2].lower() in _CONNECTORS:
            run = run[:-1]
        if run:
            spans.append(_trimmed(sentence, run[0][0], run[-1][1]))
            # "Chile and Peru" may be the answer, or just "Peru": offer both. Not so "Food and
            # Drug Administration" or "Centers for Disease Control and Prevention": one name.
            cuts = [k for k, token in enumerate(run) if token[2].lower() in ("and", "&")]
            if cuts and (is_organization(sentence[run[0][0]:run[-1][1]])
                         or any(t[2].lower() in _CONNECTORS for t in run[:cuts[0]])):
                cuts = []
            for a, b in zip([-1, *cuts], [*cuts, len(run)]):
                part = run[a + 1 : b]
                if cuts and part:
                    spans.append(_trimmed(sentence, part[0][0], part[-1][1]))
        i = j
    for m in _QUOTED.finditer(sentence):
        spans.append((m.start(1), m.end(1)))
    return list(dict.fromkeys(spans))


def _trimmed(sentence: str, start: int, end: int) -> Span:
    text = re.sub(r"(’s|'s|[.,’'])$", "", sentence[start:end])
    return start, start + len(text)


def _joined(sentence: str, left: tuple[int, int, str], right: tuple[int, int, str]) -> bool:
    """Two words belong to one name only when nothing but spaces stands between them."""
    return (sentence[left[1] : right[0]].isspace() and not left[2].endswith(",")
            and not _POSSESSIVE.search(left[2]))  # "Maria Lopez’s Facebook page": two names


def number_spans(sentence: str, with_unit: bool, units: frozenset[str] = frozenset()) -> list[Span]:
    """Numbers ("353", "$5.2 billion", "two"), with the word they count when `with_unit` is set or
    when that word is one of `units` (the question's own: "how many days" -> "two days")."""
    spans = []
    for m in NUMBER.finditer(sentence):
        start, end = m.start(), m.end() - len(m.group()) + len(m.group().rstrip(","))
        unit = re.match(r"(?:-|\s+)([a-z]+)", sentence[end:])
        measured = m.group()[:1].isdigit() and bool(re.search(r"[%a-zA-Z]$", m.group().rstrip(",")))
        if unit and not measured and unit.group(1) not in _LEADING | _CONNECTORS | _FUNCTION:
            if with_unit or content_terms(unit.group(1)) & units:
                end += unit.end()
        spans.append((start, end))
    return spans


def reason_span(sentence: str) -> Span | None:
    m = _REASONS[0].search(sentence) or _REASONS[1].search(sentence)
    if not m:
        return None
    tail = sentence[m.end():]
    cut = re.search(r"[.;]\s|[.;]$|,\s+(?:which|who|where|but|while|and the)\b", tail)
    end = m.end() + (cut.start() if cut else len(tail.rstrip(".")))
    return (m.start(), end) if end - m.end() > 2 else None


_CLAUSE_END = re.compile(
    r"[;:!?()“”\"]|,(?!\d)|\.(?!\d)|\s[–—-]\s|\s(?:and|but|which|who|that|after|before|when|while|because|as|according)\s"
    r"|\s(?:on|last|this|earlier|in)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month|"
    r"year|january|february|march|april|may|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)


def continuation_span(sentence: str, lead: str, max_words: int = 8) -> Span | None:
    """The words that follow the end of a fill-in question ("the death toll rose to:") in a
    sentence that repeats that end ("...the official toll rose to 1,250 people on Tuesday"), up to
    the end of the clause. The last two words must match, or the last one when it says something."""
    words = re.findall(r"[\w’'-]+", lead)
    for n in range(min(4, len(words)), 0, -1):
        if n == 1 and not content_terms(words[-1]):
            break
        found = re.search(r"\b" + r"\s+".join(map(re.escape, words[-n:])) + r"\b\s*", sentence, re.IGNORECASE)
        if found:
            rest = sentence[found.end():]
            clause = rest[: m.start()] if (m := _CLAUSE_END.search(rest)) else rest
            kept = list(re.finditer(r"\S+", clause))[:max_words]
            if kept:
                return found.end(), found.end() + kept[-1].end()
    return None


def phrase_spans(sentence: str, question_terms: frozenset[str], max_words: int = 3) -> list[Span]:
    """Short runs of ordinary words ("barn owls", "oat milk"): answers to "which bird / which
    product" questions are often not names. Function words, the question's own
    words, participles and punctuation end a run (no tagger is bundled: these stand in for one)."""
    spans: list[Span] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        if any(m.group()[:1].islower() for m in run):  # all-capitalised runs are entity_spans' job
            for part in (run[:max_words], run[-max_words:]):  # a long run: its ends, where nouns sit
                spans.append((part[0].start(), part[-1].end()))
        run.clear()

    previous_end = 0
    for m in re.finditer(r"[A-Za-z][A-Za-z’'-]*", sentence):
        word = m.group().lower()
        if not sentence[previous_end:m.start()].isspace():
            close()
        previous_end = m.end()
        if (word in _LEADING or word in _CONNECTORS or word in _FUNCTION or len(word) < 3
                or content_terms(word) <= question_terms or word.endswith("ed") or _CONTRACTION.search(word)):
            close()
            continue
        run.append(m)
    close()
    return list(dict.fromkeys(spans))


_FUNCTION = frozenset(
    """is was are were be been being has have had do does did will would could can should may might
    must said says say told not also than into over about against between through during before
    after under again further very just more most such own same other up down out off who whom
    which whose what where when why how all any each few both or nor yet so per via across along
    around among amid toward towards within without upon onto behind beyond near inside outside
    despite since until while because though although whether there here""".split()
)


def candidates(
    sentence: str, kind: AnswerType, question_terms: frozenset[str], phrases: bool = False
) -> list[SpanCandidate]:
    """Spans of `sentence` that could answer a question of `kind`, minus restatements of the question.
    `phrases` adds runs of ordinary words to the names (for "which bird?"). What spans are looked
    for is the form of the kind's answer (`language.kinds.KINDS`)."""
    row = KINDS[kind]
    counted = row.answer is Form.NUMBER
    if counted:
        dates = calendar_spans(sentence)  # "September 21": a day, not 21 of anything
        spans = [s for s in number_spans(sentence, with_unit=row.with_unit, units=question_terms)
                 if not any(a <= s[0] < b for a, b in dates)]
    elif kind is AnswerType.REASON:
        found = reason_span(sentence)
        spans = [found] if found else []
    elif row.named:
        spans = [s for s in entity_spans(sentence) if not sentence[s[0]:s[1]].replace(",", "").strip().isdigit()]
        if phrases:
            spans += [s for s in phrase_spans(sentence, question_terms) if s not in spans]
    else:
        return []
    out: list[SpanCandidate] = []
    for start, end in spans:
        text = sentence[start:end]
        terms = content_terms(text)
        if not counted and kind is not AnswerType.REASON and (
            not terms or terms <= question_terms
        ):
            continue  # the question's own words are not its answer
        if counted and content_terms(text.split()[0]) <= question_terms:
            continue  # nor its own numbers ("in the six months ending March 31")
        out.append(SpanCandidate(start, end, text))
    return out
