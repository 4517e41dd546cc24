"""Each composed shape and its composer: adding a shape is its row here and its module."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.compose.latest import latest
from bot.compose.listing import listing
from bot.compose.material import Material
from bot.compose.overview import overview
from bot.compose.select import Composition
from bot.compose.timeline import timeline
from bot.compose.why import why
from language.shapes import Shape

Composer = Callable[[Material], Composition]

COMPOSERS: Mapping[Shape, Composer] = {
    Shape.OVERVIEW: overview,
    Shape.TIMELINE: timeline,
    Shape.LATEST: latest,
    Shape.WHY: why,
    Shape.LIST: listing,
}
