"""An overview: a lead (of the sentences that are evidence, the one most central to the story,
weighed against its relevance), then 2-4 points, from other articles (or wire stories) and days
where the story has them, none repeating another, in the order of their days."""

from __future__ import annotations

from collections.abc import Sequence

from bot.compose import tuning
from bot.compose.material import Item, Material
from bot.compose.select import Composition, by_day, pick


def overview(material: Material) -> Composition:
    pool = material.candidates()
    if not pool:
        return Composition([])
    strong = [i for i in pool if i.relevance >= material.min_score] or pool[:1]
    lead = max(strong, key=lambda i: tuning.LEAD_CENTRALITY * i.central + (1 - tuning.LEAD_CENTRALITY) * i.relevance)

    def spread(item: Item, chosen: Sequence[Item]) -> float:
        """The item's worth to the story, less where an article (or a day) is quoted already."""
        same_story = any(item.story == c.story for c in chosen)
        same_day = any(item.day == c.day for c in chosen)
        return item.weight - item.relevance - tuning.SAME_STORY * (same_story + same_day)

    points = pick(pool, tuning.OVERVIEW_POINTS, chosen=[lead], bonus=spread,
                  limit=max(tuning.SCREEN_CHARS, len(lead.text)))
    return Composition([i.point() for i in [lead, *by_day(points)]])
