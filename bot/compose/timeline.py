"""A timeline: 4-8 dated events of the story, one per day, oldest first, none after the as-of date.

An event's day is the one its sentence names ("on Tuesday", "two days later"), else its article's
date; a sentence that names its day is preferred, one that names only another time ("last week")
is not an event. Inside a time window the question names
("in January 2022"), the events of that window.
"""

from __future__ import annotations

from bot import messages
from bot.compose import tuning
from bot.compose.material import Item, Material
from bot.compose.select import Composition, by_day, characters, repeats
from language.dates import format_day


def timeline(material: Material) -> Composition:
    as_of, frame = material.query.as_of, material.query.frame
    pool = [i for i in material.candidates() if i.day is not None and i.day <= as_of and not i.elsewhen]
    if frame.explicit:
        inside = [i for i in pool if frame.contains(i.day)]
        pool = inside if len(inside) >= 2 else pool
    chosen: list[Item] = []
    for item in sorted(pool, key=lambda i: i.weight + tuning.DATED * i.dated, reverse=True):
        if (any(item.day == c.day for c in chosen) or repeats(item, chosen)
                or characters(chosen) + len(item.text) > max(tuning.SCREEN_CHARS, len(item.text))):
            continue
        chosen.append(item)
        if len(chosen) == tuning.TIMELINE_EVENTS:
            break
    events = by_day(chosen)
    return Composition([i.point() for i in events], _lead(events))


def _lead(events: list[Item]) -> str | None:
    days = [i.day for i in events if i.day is not None]
    if not days:
        return None
    if len(days) == 1:
        return messages.TIMELINE_LEAD_ONE.format(day=format_day(days[0]))
    return messages.TIMELINE_LEAD.format(count=len(days), first=format_day(days[0]), last=format_day(days[-1]))
