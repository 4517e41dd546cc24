"""Why (or how): the 1-3 sentences of the story that give the reason, by their relevance to the
question and their cause and purpose words ("because", "due to", "in order to", "led to"...:
language/causes.py); the best first. Beside the first, only sentences that clearly give a reason,
or may give one and are evidence in their own right."""

from __future__ import annotations

from collections.abc import Sequence

from bot.compose import tuning
from bot.compose.material import Item, Material
from bot.compose.select import Composition, pick
from language.causes import Reason, gives_reason


def why(material: Material) -> Composition:
    pool = material.candidates()
    if not pool:
        return Composition([])
    reasons = {id(i): gives_reason(i.text) for i in pool}

    def cause(item: Item, chosen: Sequence[Item]) -> float:
        strength = reasons[id(item)]
        return tuning.STRONG_CAUSE if strength is Reason.STRONG else tuning.WEAK_CAUSE * strength

    def a_reason(item: Item) -> bool:
        strength = reasons[id(item)]
        return strength is Reason.STRONG or (strength is Reason.WEAK and item.relevance >= material.min_score)

    first = pick(pool, 1, bonus=cause)
    more = pick([i for i in pool if a_reason(i)], tuning.WHY_POINTS - 1, chosen=first, bonus=cause,
                limit=tuning.SCREEN_CHARS)
    return Composition([i.point() for i in [*first, *more]])
