"""Issue 24, item 3: an entity answer is given in its fullest form written in the cited articles
("Buffalo Bills" for "Bills", a full name for a surname). Real model, real Chroma."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.extractive.fullest import fullest_form
from bot.runtime import Runtime
from index.models import Passage
from language.kinds import AnswerType
from tests.conftest import ask, ingest_story

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        ("The Buffalo Bills beat the Miami Dolphins 34-31 in Orchard Park on Sunday. The Bills will host the "
         "Kansas City Chiefs in the divisional round next weekend, the league said.",
         "Which team will host the Kansas City Chiefs in the divisional round?", "Buffalo Bills"),
        ("Finance minister Margarethe Olsen presented the budget on Tuesday. Olsen said the new harbour tax "
         "would raise 40 million crowns a year.",
         "Who said the new harbour tax would raise 40 million crowns a year?", "Margarethe Olsen"),
    ],
)
def test_an_entity_is_answered_in_its_fullest_form_in_the_cited_article(
    runtime: Runtime, tmp_path: Path, text: str, question: str, expected: str
) -> None:
    """It answered with the short form of the sentence read ("Bills", "Olsen")."""
    ingest_story(runtime, tmp_path / "a", date(2026, 1, 12), "Weekend news", text)
    assert ask(runtime, question, as_of=date(2026, 1, 14)).answer == expected


def _passage(text: str, names: list[tuple[str, str]]) -> Passage:
    """A passage of article "a" with spaCy-like entities: (written form, label) at its first place."""
    entities = tuple((text.index(name), text.index(name) + len(name), label) for name, label in names)
    return Passage("a:0", "a", text, 0, len(text), 0.9, "t", date(2026, 1, 12), None, None, None,
                   entities=entities)


@pytest.mark.parametrize(
    ("text", "names", "answer", "kind", "expected"),
    [
        # A name completed by the words written before it, as the issue asks.
        ("Kassym-Jomart Tokayev spoke. Tokayev left.", [("Kassym-Jomart Tokayev", "PERSON")], "Tokayev",
         AnswerType.PERSON, "Kassym-Jomart Tokayev"),
        # Words after the answer make another or a more formal name: the answer is what was asked for.
        ("Velmora Motor Company said Velmora would cut prices.", [("Velmora Motor Company", "ORG")], "Velmora",
         AnswerType.ORGANIZATION, "Velmora"),
        ("The Harbour Airlines Pilots Association sued Harbour Airlines.", [("Harbour Airlines Pilots Association", "ORG")],
         "Harbour Airlines", AnswerType.ORGANIZATION, "Harbour Airlines"),
        # A possessive, an acronym, an abbreviated title or a question word is no part of a name.
        ("Norland's Kestrel recalled it. Kestrel said so.", [("Norland's Kestrel", "ORG")], "Kestrel",
         AnswerType.ORGANIZATION, "Kestrel"),
        ("The US Kestrel agency said so.", [("US Kestrel", "ORG")], "Kestrel", AnswerType.ORGANIZATION, "Kestrel"),
        ("Texas Gov. Brenna Abbotsford said so.", [("Texas Gov. Brenna Abbotsford", "PERSON")], "Abbotsford",
         AnswerType.PERSON, "Brenna Abbotsford"),
        ("U.S. President Arlo Venn spoke.", [("U.S. President Arlo Venn", "PERSON")], "Venn",
         AnswerType.PERSON, "Arlo Venn"),
        ("What Kestrel did was new.", [("What Kestrel", "ORG")], "Kestrel", AnswerType.ORGANIZATION, "Kestrel"),
        # A name of two words is whole already: a title before it is not a fuller name.
        ("Associate Justice Stephen Marlow retired.", [("Associate Justice Stephen Marlow", "PERSON")],
         "Stephen Marlow", AnswerType.PERSON, "Stephen Marlow"),
    ],
)
def test_a_fuller_form_only_completes_a_one_word_name_with_the_name_words_before_it(
    text: str, names: list[tuple[str, str]], answer: str, kind: AnswerType, expected: str
) -> None:
    assert fullest_form(answer, [_passage(text, names)], frozenset({"a"}), kind) == expected
