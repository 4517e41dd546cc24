"""The latest: the newest developments as of the date, newest first, each with its day.

The articles of the story's last week (`LATEST_DAYS` before the newest one) are read newest first:
the best sentence of each (one per article or wire story; worth as in `Item.weight`), then, with
room left, the next best of the newest; none repeating another. The newest leads."""

from __future__ import annotations

from datetime import timedelta

from bot.compose import tuning
from bot.compose.material import Item, Material
from bot.compose.select import Composition, by_day, characters, repeats


def latest(material: Material) -> Composition:
    pool = [i for i in material.candidates() if i.published is not None]
    if not pool:
        return Composition([])
    newest = max(i.published for i in pool if i.published is not None)
    recent = sorted((i for i in pool if i.published and newest - i.published < timedelta(days=tuning.LATEST_DAYS)),
                    key=lambda i: (-(i.published.toordinal() if i.published else 0), -i.weight))
    chosen: list[Item] = []
    for first_of_each in (True, False):
        for item in recent:
            if len(chosen) == tuning.LATEST_POINTS:
                break
            if (any(item is c or (first_of_each and item.story == c.story) for c in chosen)
                    or repeats(item, chosen)
                    or characters(chosen) + len(item.text) > max(tuning.SCREEN_CHARS, len(item.text))):
                continue
            chosen.append(item)
    return Composition([i.point() for i in by_day(chosen, newest_first=True)])
