"""A list: every member of the kind asked for ("which cities...": places; "which companies...":
organisations) named in the story's passages, each with the quote that names it.

Members are the named entities stored with each chunk at ingest whose spaCy label can carry the
kind (its row of `language.kinds.KINDS`), as the factoid reader finds them
(bot/extractive/candidates.py); the story's own names, and countries, regions and the like where
cities are asked for, are not members. One member written several ways ("Gdańsk", "Gdansk"; "Mangystau Region",
"Mangystau") is one. A quote that names several members is one point, noted with their names.
A kind no label carries ("what did the report reveal?") is answered with the most relevant
sentences that do not repeat each other.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from bot.compose import tuning
from bot.compose.material import Item, Material
from bot.compose.select import Composition, pick
from bot.extractive.candidates import answer_text
from language.gazetteer import is_place
from language.kinds import KINDS, AnswerType
from language.terms import content_terms


@dataclass
class _Member:
    key: str
    item: Item  # the most relevant sentence that names it
    spellings: Counter[str] = field(default_factory=Counter)

    @property
    def name(self) -> str:
        """The way it is written most often; the first seen on a tie."""
        return self.spellings.most_common(1)[0][0]


def listing(material: Material) -> Composition:
    labels = KINDS[material.query.info.kind].labels
    if not labels:
        return Composition([i.point() for i in pick(material.candidates(), tuning.WHY_POINTS,
                                                     limit=tuning.SCREEN_CHARS)])
    sentences = sorted((i for i in [*material.items, *material.unread] if i.relevance >= material.floor),
                       key=lambda i: i.relevance, reverse=True)
    members = _merged(_members(material, sentences, labels))
    by_item: dict[int, list[_Member]] = {}
    for member in members:
        by_item.setdefault(id(member.item), []).append(member)
    points = []
    for group in list(by_item.values())[: tuning.LIST_POINTS]:
        item = group[0].item
        group.sort(key=lambda m: item.text.find(m.name))  # in the order the quote names them
        points.append(item.point(note=", ".join(m.name for m in group)))
    return Composition(points, ", ".join(p.note for p in points) or None)


@dataclass(frozen=True)
class _Mention:
    item: Item
    start: int  # in the sentence
    end: int
    name: str
    key: str
    label: str  # spaCy's label; "" for a noun phrase


def _members(material: Material, sentences: list[Item], labels: frozenset[str]) -> list[_Member]:
    """The members named in `sentences` (most relevant first), in the order first named. A name is
    of the kind when any of its mentions carries one of its labels (the tagger reads "Rotterdam"
    as a person in one sentence and a place in the next), or when it is listed with one ("Zhanaozen
    and Aktau", "Atyrau, Aktobe (in the west), Uralsk").
    """
    info = material.query.info
    if info.city:
        labels = labels & _CITY_LABELS or labels
    mentions = [m for item in sentences for m in _mentions(item, info.kind)]
    kinded = {m.key for m in mentions if m.label in labels}

    def wanted(name: str) -> bool:
        terms = content_terms(name)
        return bool(terms) and not terms <= info.terms and not (info.city and _not_a_city(name))

    found: dict[str, _Member] = {}
    for item in sentences:
        here = [m for m in mentions if m.item is item and wanted(m.name)]
        for mention in _listed_with(here, [m for m in here if m.key in kinded]):
            found.setdefault(mention.key, _Member(mention.key, item)).spellings[mention.name] += 1
    return list(found.values())


def _mentions(item: Item, kind: AnswerType) -> list[_Mention]:
    """The entities of the sentence, and its noun phrases that are names (every word capitalised)."""
    sentence, found = item.sentence, []
    spans = [(a, b, label) for a, b, label in sentence.passage.entities] + [(a, b, "") for a, b in sentence.passage.phrases]
    for start, end, label in spans:
        if sentence.start <= start < end <= sentence.end:
            raw = sentence.text[start - sentence.start : end - sentence.start]
            name = answer_text(raw, kind)
            if label or _NAME.fullmatch(name):
                at = sentence.text.find(name, start - sentence.start)
                found.append(_Mention(item, at, at + len(name), name, spelling(name), label))
    return found


def _listed_with(mentions: list[_Mention], members: list[_Mention]) -> list[_Mention]:
    """`members`, and the names listed with them in the sentence: next to one, with only a comma,
    "and", "or" or a bracketed aside between."""
    chosen = {m.key: m for m in members}
    grown = True
    while grown:
        grown = False
        for mention in mentions:
            if (mention.key not in chosen and _NAME.fullmatch(mention.name)
                    and any(_next_in_a_list(mention, m) for m in chosen.values())):
                chosen[mention.key] = mention
                grown = True
    return sorted(chosen.values(), key=lambda m: m.start)


def _next_in_a_list(a: _Mention, b: _Mention) -> bool:
    first, second = (a, b) if a.start < b.start else (b, a)
    return first.end <= second.start and bool(_LIST_GAP.fullmatch(first.item.text[first.end : second.start]))


_NAME = re.compile(r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")
_LIST_GAP = re.compile(r"(?:\s*\([^()]*\))?\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)")


def _not_a_city(name: str) -> bool:
    """A country, a state, a region, a street...: not what "which cities" asks for ("Mexico City" is one)."""
    return is_place(name) and not name.casefold().endswith(" city")


def _merged(members: list[_Member]) -> list[_Member]:
    """Members whose words begin another's ("Mangystau" / "Mangystau Region") are one: the shorter."""
    kept: list[_Member] = []
    for member in sorted(members, key=lambda m: len(m.key.split())):
        words = member.key.split()
        same = next((k for k in kept if words[: len(k.key.split())] == k.key.split()), None)
        if same is None:
            kept.append(member)
        else:
            same.spellings.update(member.spellings)
            if member.item.relevance > same.item.relevance:
                same.item = member.item
    order = {id(m): n for n, m in enumerate(members)}
    return sorted(kept, key=lambda m: order[id(m)])


_NOT_LETTERS = re.compile(r"[^\w]+")
_CITY_LABELS = frozenset({"GPE"})  # "which cities": not a sea (LOC) or a building (FAC)


def spelling(name: str) -> str:
    """A name as compared across spellings: accents, case, possessives and punctuation aside."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    plain = re.sub(r"['’]s\b", "", plain.casefold())
    return " ".join(_NOT_LETTERS.sub(" ", plain).replace("_", " ").split())
