"""What the shapes share: a composition, redundancy (sentence vectors, maximal marginal relevance),
and the screenful."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.answer import Point
from bot.compose import tuning
from bot.compose.material import Item


@dataclass(frozen=True)
class Composition:
    """A composed answer's points in display order, and its lead when that is not the first
    point's quote (a timeline's span of days, a list's members)."""

    points: list[Point]
    lead: str | None = None


def similarity(a: Item, b: Item) -> float:
    """Cosine of two encoded sentences; 1 for the same sentence; 0 when either is not encoded."""
    if a.sentence.passage.article_id == b.sentence.passage.article_id and a.sentence.start == b.sentence.start:
        return 1.0
    if a.vector is None or b.vector is None:
        return 1.0 if a.text == b.text else 0.0
    return float(a.vector @ b.vector)


def repeats(item: Item, chosen: Sequence[Item]) -> bool:
    """Whether `item` says what one of `chosen` says already (a wire copy's sentence included)."""
    return any(similarity(item, c) >= tuning.DUPLICATE for c in chosen)


def characters(items: Sequence[Item]) -> int:
    return sum(len(i.text) for i in items)


Bonus = Callable[[Item, Sequence[Item]], float]


def _no_bonus(item: Item, chosen: Sequence[Item]) -> float:
    return 0.0


def pick(pool: Sequence[Item], count: int, chosen: Sequence[Item] = (), bonus: Bonus = _no_bonus,
         limit: int | None = None, allowed: Callable[[Item, Sequence[Item]], bool] | None = None) -> list[Item]:
    """Up to `count` more items by maximal marginal relevance (relevance plus `bonus`, against the
    likeness to what is chosen), none repeating another, all within `limit` characters of quotes
    with `chosen`, and each `allowed` beside what is chosen."""
    picked = list(chosen)
    new: list[Item] = []
    left = [i for i in pool if not any(i is c for c in chosen)]
    while left and len(new) < count:
        used = characters(picked)
        left = [i for i in left if not repeats(i, picked) and (limit is None or used + len(i.text) <= limit)
                and (allowed is None or allowed(i, picked))]
        if not left:
            break
        best = max(left, key=lambda i: _marginal(i, picked, bonus(i, picked)))
        picked.append(best)
        new.append(best)
        left = [i for i in left if i is not best]
    return new


def _marginal(item: Item, chosen: Sequence[Item], bonus: float) -> float:
    likeness = max((similarity(item, c) for c in chosen), default=0.0)
    return tuning.MMR_RELEVANCE * (item.relevance + bonus) - (1 - tuning.MMR_RELEVANCE) * likeness


def by_day(items: Sequence[Item], newest_first: bool = False) -> list[Item]:
    """In the order of their days (undated last), then of their place in their article."""
    def key(item: Item) -> tuple[int, int]:
        day = item.day.toordinal() if item.day else (0 if newest_first else 10**7)
        return (-day if newest_first else day, item.sentence.start)

    return sorted(items, key=key)
