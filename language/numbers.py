"""Numbers written in text, as values: "12,000", "12 000", "12000" and "twelve thousand" are one
number; "2.3" and "2,3" (a decimal comma) are one; "2.5 million" is 2,500,000.

Separators: a comma or dot followed by groups of exactly three digits separates thousands
("12,000", "1.234.567"), except a single dot ("1.234" is a decimal, as English writes it); any
other comma or dot is a decimal mark ("2,3", "9.9"). With both, the last one is the decimal mark
("1,234.5", "1.234,5"). A space between groups of three digits also separates thousands.
Words: "two" to "ninety-nine", "a dozen", "hundred", and the scales thousand, million, billion,
trillion (also "bn", "mn", "tn"). "One" is a number only when asked for (`ones`): it is as often
a pronoun ("one of the victims"); "a" and "an" never are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORDS = {w: n for n, w in enumerate(_UNITS)} | {w: 20 + 10 * n for n, w in enumerate(_TENS)} | {"dozen": 12}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "mn": 10**6, "billion": 10**9, "bn": 10**9,
           "trillion": 10**12, "tn": 10**12}

_WORD = "|".join(sorted(_WORDS, key=len, reverse=True))
_SCALE = "|".join(sorted(_SCALES, key=len, reverse=True))
_NUMBER = re.compile(
    rf"""(?<![\w.,])(?:
        (?P<digits>\d{{1,3}}(?:[ \u00a0\u202f]\d{{3}})+(?![\d.,]\d)|\d+(?:[.,]\d+)*)
      | (?P<words>(?:a\s+)?(?:{_WORD})\b(?:[\s-](?:{_WORD})\b)?)
    )(?:\s*-?\s*(?P<scale>(?:{_SCALE})(?:\s+(?:{_SCALE}))?)\b)?""",
    re.IGNORECASE | re.VERBOSE,
)
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,])\d{3})+")


@dataclass(frozen=True)
class Number:
    start: int
    end: int  # after its scale word, if any
    values: frozenset[Decimal]  # what it may mean: with its scale word and without ("2.5 million": 2500000, 2.5)
    grouped: str = ""  # its digits, when spaces group them


def numbers_in(text: str, ones: bool = False) -> list[Number]:
    """Each number `text` writes, in order. With `ones`, "one" counts as a number too."""
    found: list[Number] = []
    for match in _NUMBER.finditer(text):
        digits = match.group("digits")
        value = _digits(digits) if digits else _words(match.group("words"), ones)
        if value is None:
            continue
        scaled = value
        for word in (match.group("scale") or "").lower().split():
            scaled *= _SCALES[word]
        found.append(Number(match.start(), match.end(), frozenset({value, scaled}),
                            digits if digits and " " in digits else ""))
    return found


def values_in(text: str) -> set[Decimal]:
    """Every value any number of `text` may mean, counting "one" and each group of digits
    that spaces separate ("the 120 300 were" may be 120 and 300) as well."""
    found: set[Decimal] = set()
    for number in numbers_in(text, ones=True):
        found |= number.values | {Decimal(part) for part in number.grouped.split()}
    return found


def _digits(raw: str) -> Decimal | None:
    raw = re.sub(r"[ \u00a0\u202f]", "", raw)
    marks = [ch for ch in raw if ch in ".,"]
    if len(set(marks)) == 2:  # "1,234.5" / "1.234,5": the last mark is the decimal one
        decimal = marks[-1]
        raw = raw.replace("," if decimal == "." else ".", "").replace(decimal, ".")
    elif marks and marks != ["."] and _THOUSANDS.fullmatch(raw):
        raw = raw.replace(marks[0], "")
    elif len(marks) == 1:
        raw = raw.replace(",", ".")
    elif marks:  # "1.2.3": not one number
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def _words(raw: str, ones: bool) -> Decimal | None:
    words = [w for w in re.split(r"[\s-]+", raw.lower()) if w != "a"]
    if words == ["one"] and not ones:
        return None
    return Decimal(sum(_WORDS[w] for w in words))
