"""Whether a sentence gives a reason: the words that mark a cause, a purpose or a means.

"because", "due to", "in order to", "led to", "prompted" say so outright (strong); "after",
"amid", "over", "following" often do ("protests over fuel prices", "resigned after the vote"),
but as often only say when (weak). A composed "why" answer prefers the sentences that give one
(bot/compose/why.py).
"""

from __future__ import annotations

import re
from enum import IntEnum


class Reason(IntEnum):
    NONE = 0
    WEAK = 1
    STRONG = 2


_STRONG = re.compile(
    r"\b(?:because|due to|owing to|thanks to|as a result|as a consequence|in order to|so as to|so that|"
    r"in an effort to|in an attempt to|in a bid to|with the (?:aim|goal|intention|purpose) of|for the purpose of|"
    r"intended to|designed to|aimed at|aim(?:s|ed)? to|in response to|in protest|to protest|in retaliation|"
    r"reasons?|caused?|causing|led to|lead(?:s|ing)? to|prompt(?:ed|ing|s)?|spark(?:ed|ing|s)?|"
    r"trigger(?:ed|ing|s)?|fuel(?:l)?ed by|driven by|blam(?:ed|ing|es?) (?:on|for)|result(?:ed|s)? (?:in|from)|"
    r"demand(?:ed|ing|s)?|call(?:ed|ing)? for|protest(?:ed|ing)? (?:against|over)|"
    r"since then|that is why|which is why|meaning that|means that)\b",
    re.IGNORECASE,
)
# "over" a cause ("protests over fuel prices"), not a span of time or an amount ("over two years").
_OVER = r"over(?!\s+(?:\d|a |an |one|two|three|four|five|six|seven|eight|nine|ten|several|many|more|the (?:past|next|last|weekend)))"
_WEAK = re.compile(rf"\b(?:after|amid|{_OVER}|following|against|by (?:\w+ing)|through|with the help of|since)\b",
                   re.IGNORECASE)


def gives_reason(text: str) -> Reason:
    """How clearly `text` gives a cause, a purpose or a means."""
    if _STRONG.search(text):
        return Reason.STRONG
    if _WEAK.search(text):
        return Reason.WEAK
    return Reason.NONE
