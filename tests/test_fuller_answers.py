"""Issue 24, item 3: an entity answer is given in its fullest form written in the cited articles
("Buffalo Bills" for "Bills", a full name for a surname). Real model, real Chroma."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.runtime import Runtime
from tests.conftest import ask, ingest_into

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
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "story.txt").write_text(f" date 2026-01-12 Weekend news\n{text}\n", encoding="utf-8")
    ingest_into(runtime, folder)
    assert ask(runtime, question, as_of=date(2026, 1, 14)).answer == expected
