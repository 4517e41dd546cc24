"""The shape of answer a question asks for: one fact (a factoid: who, when, where, how many,
which one), or a composed answer of several quoted points (an overview, a timeline, the latest
news, the reasons why, a list of the things asked for).

`asked_shape` reads it from the question's words alone: no model, so the query path stays free
of torch and spaCy. The ways of asking for each shape are the rows of `SHAPE_FORMS`, tried in
order on the clause that asks (`language.question.asking_clause`: quizzes set the scene first);
the first that asks gives the shape, else the question is a factoid. Measured against the
labelled set `evals/data/shapes.jsonl` by `python -m evals.shape_accuracy`.

Where the line is drawn (the labelling guide of the set, evals/data/README.md, says the same):
- "which city hosted..." (one thing) is a factoid, "which cities did the protests reach?" (a
  kind, in the plural: its members) a list; "which two...", "which of these...", "how many..."
  stay factoids. A quiz's plural ("which rivers burst their banks this week?") is a list too.
- "how did X unfold / develop / play out" is a timeline, "how did X react" an overview; any
  other "how did X ..." ("how did X win", "how did the fire start") asks how it came about: why.
  "Why..." is why, in a quiz too ("The minister quit this week. Why did she go?").
- "what happened to / in / with / after X", with or without a day ("on 5 May"), is an overview
  of that window; "what happened when..." and "...after what happened?" (a quiz's blank: the one
  event) are factoids.
- "since ..." makes a timeline only with what happened, was done or changed since: "since when"
  is a date, and "which states have ... since 2022" a list.
- "latest" asks for the latest news only where it names it ("the latest on X", "what's the
  latest?"), not "the latest census" or "who is the latest to resign".
- A question asking who, which, when or where takes words such as "describe" or "history of"
  as part of the fact it asks about; words in quotes are someone else's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from language.question import asking_clause


class Shape(StrEnum):
    FACTOID = "factoid"  # one fact: today's short answer with its quote
    OVERVIEW = "overview"  # "what happened", "tell me about", "summarize"
    TIMELINE = "timeline"  # "timeline of", "walk me through", "how did X unfold"
    LATEST = "latest"  # "latest on", "any news on", "where does X stand"
    WHY = "why"  # "why did X", "how did X manage": the reasons, in sentences
    LIST = "list"  # "which cities...", "what did X reveal": every member asked for

    @property
    def composed(self) -> bool:
        """Answered with several points rather than one short answer."""
        return self is not Shape.FACTOID

    @property
    def has_short_answer(self) -> bool:
        """Its points may come with a short answer too, as a factoid's would be ("protesting
        against high fuel prices"): a quiz asks "why" for one phrase. (A list's answer is its
        members, already short.)"""
        return self is Shape.WHY


@dataclass(frozen=True)
class ShapeForm:
    """A way of asking for `shape`: `pattern` is found in the asking clause, and so is `also` when
    given, and `unless` is not. With `members`, the words after the pattern's match must name a
    kind of thing in the plural ("cities did...", "new products were..."): its members are asked for."""

    shape: Shape
    pattern: re.Pattern[str]
    also: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    members: bool = False

    def asks(self, clause: str) -> bool:
        found = self.pattern.search(clause)
        return (found is not None
                and (self.also is None or self.also.search(clause) is not None)
                and (self.unless is None or self.unless.search(clause) is None)
                and (not self.members or names_members(clause[found.end():])))


def _form(shape: Shape, pattern: str, also: str | None = None, unless: str | None = None,
          members: bool = False) -> ShapeForm:
    def compiled(text: str | None) -> re.Pattern[str] | None:
        return re.compile(text, re.I) if text else None

    return ShapeForm(shape, re.compile(pattern, re.I), compiled(also), compiled(unless), members)


# A question that asks for one fact: words such as "describe" or "history of" in it are part of
# the fact asked about ("which ruling did she describe as...", "for the first time in the history of").
_ONE_FACT = r"^(?:who|whom|whose|which|when|where)\b"
_WHAT_IS = r"what(?:'s| is| was| are| were| has been)?"
_HOW = r"\bhow (?:did|does|do|could|can|was|were|has|have|had|would|will)\b"
# The forms in the order they are tried: the first that asks gives the shape, else FACTOID.
SHAPE_FORMS = (
    # One fact, whatever else the question says: a quiz's fill-in ending ("...since:"), a date
    # ("since when"), an amount ("how many"), a number of things or one of the choices ("which
    # two", "which of these"), the one event that followed another ("after what happened?").
    _form(Shape.FACTOID, r"(?::|…|\.\.\.)$|\bsince when\b"
          r"|\bhow (?:many|much|long|old|far|big|high|tall|often|soon|fast|large|deep)\b"
          r"|\b(?:which|what) (?:two|three|four|five|\d+)\b"
          r"|\bwhich (?:one )?of (?:these|those|the following|the|them)\b"
          r"|\bwhat happened when\b|\b(?:when|after|before|until) what happened\b"),
    _form(Shape.TIMELINE, r"\btime ?line|\bchronolog|\bsequence\b|\border of events\b"
          r"|\b(?:walk|take|talk|run) (?:me|us) through\b|\bunfold|\bplay(?:ed|ing)? out\b"
          r"|\bstep by step\b|\b(?:day|week|month) by (?:day|week|month)\b|\b(?:each|every) (?:day|week)\b"
          r"|\bblow[- ]by[- ]blow\b|\bin (?:(?:what|which|chronological|date) )?order\b(?! to\b| for\b| that\b)"
          r"|\bkey (?:dates|moments|events)\b|\bmilestones\b|\bleading up to\b|\btrace (?:the|how|back)\b|\bhistory of\b"
          r"|\bfrom the (?:start|beginning|outset)\b|\bhow (?:has|have|did)\b.*\b(?:develop|evolv|progress|escalat|chang)",
          unless=_ONE_FACT),
    # "since ...": what happened, was done or changed since then.
    _form(Shape.TIMELINE, r"\bsince\b", also=r"\bhappen|\bdone\b|\bdevelop|\bevolv|\bchang|\bprogress"),
    _form(Shape.LATEST,
          r"\blatest\b(?=\s*(?:$|[?!.]|on\b|in\b|with\b|about\b|re\b|regarding\b|there\b|here\b|as of\b"
          r"|from\b|for\b|news\b|developments?\b|updates?\b|headlines\b))"
          r"|\bany (?:news|word|updates?|developments?|progress)\b|^updates?\b|\bupdates? (?:on|about|re|regarding)\b"
          r"|\bwhat(?:'s| is) new\b|\banything new\b|\bnewest\b|\bmost recent (?:news|developments?|updates?|headlines)\b"
          r"|\bhappened most recently\b"
          r"|\bcurrent (?:status|state|situation)\b|\bstatus (?:of|on|update)\b|^status\b|\bwhat(?:'s| is) the status\b|\bstate of play\b"
          r"|\bwhere (?:does|do|did|is|are|things)\b.*\bstands?\b|\bwhere (?:are|is) (?:we|things)\b"
          r"|\b(?:situation|things) (?:now|today)\b|\bright now\b|\bas (?:it|things) stands?\b"
          r"|\bhow(?:'s| is| are)\b.*\b(?:going|doing|faring|holding up)\b|\bstill (?:on|going|happening|ongoing|underway)\b"),
    _form(Shape.WHY, r"\bwhy\b|\bhow come\b|\breasons? (?:for|behind|why)\b|\bwhat(?:'s| is| was| were| are) the reasons?\b"
          r"|\b(?:root )?causes? of\b|\broot cause\b|\bexplain how\b"
          rf"|\b{_WHAT_IS} (?:caused|causing|led to|leads to|leading to|prompted|triggered|sparked|drove"
          r"|driving|motivated|explains|behind)\b"),
    # "How did X react": what X did, not why. Any other "how did X ...": how it came about ("how
    # did X win", "how did the fire start"), or how a thing works ("how does the scheme work").
    _form(Shape.OVERVIEW, _HOW, also=r"\b(?:react|respond|reply|replie)"),
    _form(Shape.WHY, _HOW),
    _form(Shape.LIST, r"^(?:please |can you |could you )?(?:list|name|enumerate)\b|\blist of\b|\bnames of\b"
          r"|\bwhat (?:did|does|do|has|have|had)\b.*\b(?:reveal|uncover|disclose|expose)\b"
          r"|\bwhat (?:was|were|has been|have been) (?:revealed|uncovered|disclosed|exposed)\b"),
    _form(Shape.LIST, r"\b(?:which|what)\s+", members=True),
    _form(Shape.LIST, r"\b(?:what|who) (?:are|were|have been) (?:the |some )?(?:of the )?", members=True),
    _form(Shape.OVERVIEW, r"\bwhat(?:'s| has| had| have)? happen(?:ed|ing)\b|\bgoing on\b|\bwhat went on\b"
          rf"|\bwhat(?:'s| is) up with\b|\b{_WHAT_IS} the (?:story|deal|situation|picture|context|background)\b"),
    _form(Shape.OVERVIEW, r"\btell (?:me|us) (?:about|everything|more|all)\b|\beverything (?:on|about)\b|\bsummar(?:y|ies|i[sz]e)|\bsum up\b|\brecap\b"
          r"|\boverview\b|\brun-?down\b|\btl;?dr\b|\bbrief (?:me|us)\b|\bbriefing\b|\bfill (?:me|us) in\b"
          r"|\bbackground\b|\bcontext\b|\bbig picture\b|\bwhat do we know\b|\bexplain\b|\bdescribe\b|\bhighlights\b",
          unless=_ONE_FACT),
)


def asked_shape(question: str) -> Shape:
    """The shape of answer `question` asks for: the first of `SHAPE_FORMS` that asks, else FACTOID."""
    clause = _asking(question)
    return next((form.shape for form in SHAPE_FORMS if form.asks(clause)), Shape.FACTOID)


# Chat spellings of the words the forms read.
_SPELLINGS = {
    "wich": "which", "whcih": "which", "wy": "why", "whats": "what's", "wats": "what's", "wat": "what",
    "happend": "happened", "hapened": "happened", "happenned": "happened", "lastest": "latest",
    "latets": "latest", "timline": "timeline", "timeine": "timeline", "thru": "through", "abt": "about",
    "pls": "please", "plz": "please", "rn": "right now", "hows": "how's", "whos": "who's",
    "wheres": "where's",
}
_WORD = re.compile(r"[\w']+")
# Words in quotes are someone else's: which film “is so close to what's happening right now”?
_QUOTED = re.compile(r"“[^“”]*”|\"[^\"]*\"")
# A question may start with a Slack mention or other symbols that say nothing.
_LEADING_SYMBOLS = re.compile(r"^(?:<[^>]*>|[^\w\s]+|\s+)+")
_QUESTION_WORD = re.compile(r"\b(?:who|whom|whose|what|when|where|which|why|how)\b", re.I)


def _asking(question: str) -> str:
    """The clause that asks, in plain spelling; the whole question when that clause asks nothing
    in words ("Timeline pls: Evergrande", "Tell me about the floods.")."""
    question = _plain(_QUOTED.sub("“…”", question.strip().strip("\"“”")))
    clause = asking_clause(question)
    return clause if _QUESTION_WORD.search(clause) else _LEADING_SYMBOLS.sub("", question)


def _plain(text: str) -> str:
    """`text` with straight apostrophes, single spaces and chat spellings written out ("wich" ->
    "which", "Whats" -> "What's"); a word in capitals ("RN") is a name and stays."""
    def spelled(word: str) -> str:
        known = _SPELLINGS.get(word.lower())
        if known is None or word not in (word.lower(), word.capitalize()):
            return word
        return known.capitalize() if word[0].isupper() else known

    return " ".join(_WORD.sub(lambda m: spelled(m.group()), text.replace("’", "'")).split())


# -- the members of a kind ---------------------------------------------------------------------

_PHRASE_WORDS = 4
# Words that end the phrase naming what is asked for: auxiliaries, prepositions, pronouns.
_PHRASE_STOP = frozenset(
    "is was are were did does do has have had will would could can should may might must to for from "
    "in on at by with of that who whose when where which as than this these those it its he she they "
    "his her their about into over under between against since after before during the a an and or "
    "not".split()
)
# Past forms that end the phrase ("which stocks rose", "which countries sent"); "-ed" forms end it too.
_PAST_FORMS = frozenset(
    "rose fell won lost sent hit left saw got went came made took cut led held ran paid sold bought met "
    "set put kept grew beat struck gave began became broke chose drew fought flew spent told said wrote "
    "shut quit".split()
)
_NOT_PLURAL = frozenset(
    "news series species means politics economics physics olympics gas bus chaos lens status crisis "
    "analysis basis thesis diabetes measles always perhaps across thus yes".split()
)
_PLURAL = frozenset("people children women men".split())
# Plurals that name a kind of the next word ("which sports team"), not a kind of their own.
_ADJUNCTS = frozenset("sports awards arms savings earnings goods jobs customs communications".split())
# After a word in "-s", these make it a verb ("which animal tends to"; "to" only after another word).
_VERB_OBJECT = frozenset("to the a an its his her their".split())
_TOKENS = re.compile(r"(?:\w\.){2,}|[\w'-]+|[^\w\s]")  # "U.S." is one word


def names_members(words: str) -> bool:
    """`words` open with a phrase naming a kind of thing in the plural, as after "which" in
    "which cities did the protests reach?": its head word is plural and ends the phrase. A name
    ("the Houthis"), a possessive ("which company's shares": the company) or a number of them is
    not asked as a list."""
    tokens = _TOKENS.findall(words)
    for at, token in enumerate(tokens[:_PHRASE_WORDS]):
        word = token.lower()
        if not word[:1].isalpha() or word in _PHRASE_STOP or _ends_phrase(word) or word.endswith("'s"):
            return False
        if _plural(token):
            after = tokens[at + 1].lower() if at + 1 < len(tokens) else ""
            if after in _VERB_OBJECT and (at or after != "to"):  # a verb: "which animal tends to",
                return False  # "which company owns the", "Independence Day, which marks the date"
            if at == 0 and word not in _ADJUNCTS:  # "which companies own...", "which teams face..."
                return True
            return not after[:1].isalnum() or after in _PHRASE_STOP or _ends_phrase(after)
    return False


def _plural(token: str) -> bool:
    word = token.lower()
    if token[:1].isupper() and not token[:-1].isupper():  # a name: "Houthis" (but "MPs" is a kind)
        return False
    return word in _PLURAL or (len(word) > 2 and word.endswith("s") and word not in _NOT_PLURAL
                               and not word.endswith(("ss", "us", "is", "'s")))


def _ends_phrase(word: str) -> bool:
    return word in _PAST_FORMS or (len(word) > 4 and word.endswith("ed"))
