"""Question types and short answer spans."""

from __future__ import annotations

import pytest

from bot.question import AnswerType, analyse
from bot.spans import candidates, entity_spans, number_spans, reason_span


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When did protests reach Almaty?", AnswerType.DATE),
        ("On what date did the government resign?", AnswerType.DATE),
        ("How many police officers were injured?", AnswerType.NUMBER),
        ("How much did fuel cost?", AnswerType.QUANTITY),
        ("Who chairs the CSTO council?", AnswerType.PERSON),
        ("Which airline cut 31,000 flights?", AnswerType.ORGANIZATION),
        ("Where did the protests start?", AnswerType.PLACE),
        ("Which country sent troops?", AnswerType.PLACE),
        ("Why did crowds take to the streets?", AnswerType.REASON),
        ("Did the president resign?", AnswerType.YESNO),
        ("Which show was renewed for a new season?", AnswerType.ENTITY),
        ("What did the president impose?", AnswerType.DESCRIPTION),
    ],
)
def test_answer_types(question: str, kind: AnswerType) -> None:
    assert analyse(question).kind is kind


def test_negated_questions() -> None:
    assert analyse("Which of these is not one of the regions?").negated
    assert not analyse("Which region held a vote?").negated


def test_entity_spans_keep_names_whole_and_split_lists() -> None:
    s = "Protests reached Atyrau, Aktobe and Kazakhstan’s capital Nur-Sultan, said Prime Minister Nikol Pashinyan of the Collective Security Treaty Organization."
    spans = [s[a:b] for a, b in entity_spans(s)]
    assert spans[:5] == ["Protests", "Atyrau", "Aktobe and Kazakhstan", "Aktobe", "Kazakhstan"]
    assert "Nur-Sultan" in spans
    assert "Prime Minister Nikol Pashinyan" in spans
    assert "Collective Security Treaty Organization" in spans


def test_quoted_titles_are_spans() -> None:
    s = "Netflix renewed “Squid Game” for a second season."
    assert "Squid Game" in [s[a:b] for a, b in entity_spans(s)]


def test_numbers_with_units() -> None:
    s = "Reportedly 353 members were injured and 12 were killed; damage cost $5.2 billion."
    assert [s[a:b] for a, b in number_spans(s, with_unit=False)] == ["353", "12", "$5.2 billion"]
    assert [s[a:b] for a, b in number_spans(s, with_unit=True)][0] == "353 members"


def test_reason_clause() -> None:
    s = "Crowds took to the streets, protesting against high fuel prices."
    found = reason_span(s)
    assert found is not None and s[found[0]:found[1]] == "protesting against high fuel prices"


def test_question_words_are_not_answers() -> None:
    info = analyse("Where did the CSTO send troops?")
    spans = [c.text for c in candidates("The CSTO sent troops to Kazakhstan.", info.kind, info.terms)]
    assert spans == ["Kazakhstan"]
