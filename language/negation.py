"""Negations written in text, and the words each one negates.

An answer is negated by a particle: no, not, never, none, nobody, nothing, neither, nor, cannot,
or a word ending in n't ("didn't"). A sentence can also negate with a verb of refusal or denial
("refused to resign", "denied that she would resign", "ruled out", "has yet to", "failed to").
What a negation negates is read from the words right after it (up to the next punctuation, at
most `_AFTER` words, without function words), and from the two words before it, for a passive
("resigning was ruled out").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from language.terms import content_terms

PARTICLES = frozenset("no not never none nobody nothing neither nor cannot".split())
_DENIALS = frozenset("""deny denies denied denying refuse refuses refused refusing decline declines declined
    declining reject rejects rejected rejecting fail fails failed failing unable yet without instead lack lacks
    lacked absent ruled dismiss dismisses dismissed""".split())
# Words a negation reaches past to what it negates: "did not resign", "has never been to Paris".
_FUNCTION = frozenset("""a an the to of for in on at by with be been being is are was were am do does did done
    has have had will would could should shall may might must can she he it they we i you her his its their our
    him them that this there one ever yet so any anyone anything again""".split())
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[.,;:!?()\"“”—–]")
_AFTER = 4
_BEFORE = 2


@dataclass(frozen=True)
class Negation:
    word: str  # as written, lower-cased
    after: frozenset[str]  # content terms it negates, from the words after it
    before: frozenset[str]  # content terms of the two words before it


def negations(text: str, particles_only: bool = False) -> list[Negation]:
    """The negations of `text`, in order: particles, and with `particles_only` False also
    verbs of refusal and denial."""
    tokens = [t.lower().replace("’", "'") for t in _TOKEN.findall(text)]
    found: list[Negation] = []
    for i, token in enumerate(tokens):
        if not _negates(token, tokens[i + 1] if i + 1 < len(tokens) else "", particles_only):
            continue
        found.append(Negation(token, _terms(_clause(tokens[i + 1:], _AFTER)),
                              _terms(_clause(tokens[:i][::-1], _BEFORE))))
    return found


def _negates(token: str, following: str, particles_only: bool) -> bool:
    if token == "no" and (following == "." or following[:1].isdigit()):  # "No. 10 Downing Street"
        return False
    if token in PARTICLES or token.endswith("n't"):
        return True
    return not particles_only and token in _DENIALS


def _clause(tokens: list[str], limit: int) -> list[str]:
    """The first `limit` words of `tokens` before any punctuation."""
    words: list[str] = []
    for token in tokens:
        if not token[0].isalnum() or len(words) == limit:
            break
        words.append(token)
    return words


def _terms(words: list[str]) -> frozenset[str]:
    return frozenset(content_terms(" ".join(w for w in words if w not in _FUNCTION and w not in PARTICLES)))
