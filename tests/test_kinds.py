"""The table of answer kinds (language/kinds.py): every kind has its row, and the consumers'
views of it (the ranker's groups, the question forms) cover every kind."""

from __future__ import annotations

import pytest

from bot.extractive import features
from bot.extractive.pickers import PICKERS
from language import kinds
from language.kinds import KINDS, AnswerType, Picking
from language.terms import is_quoted, same_word


@pytest.mark.parametrize("kind", list(AnswerType))
def test_every_kind_has_its_row_and_a_way_to_be_asked(kind: AnswerType) -> None:
    row = KINDS[kind]
    assert row.group.value in features.FEATURE_GROUPS  # the ranker measures it: no kind without a group
    assert kind is kinds.DEFAULT_KIND or any(form.kind is kind for form in kinds.QUESTION_FORMS)
    assert row.picker in PICKERS  # the extractive answerer can pick its short answer


def test_every_way_of_picking_has_its_picker() -> None:
    assert set(PICKERS) == set(Picking)


def test_the_table_has_only_the_kinds() -> None:
    assert set(KINDS) == set(AnswerType)
    assert set(kinds.NAMED_KINDS) == {AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.PLACE, AnswerType.ENTITY}
    assert AnswerType.DATE not in kinds.RANKED_KINDS and AnswerType.PERSON in kinds.RANKED_KINDS
    assert set(kinds.RANKED_KINDS) == {kind for kind, row in KINDS.items() if row.picker is Picking.RANKED}


def test_same_word_one_extends_the_other_and_optionally_shares_a_start() -> None:
    assert same_word("europe", "european") and same_word("ban", "ban")
    assert not same_word("ban", "banned")  # under 4 letters: not extended
    assert not same_word("injured", "injuries")
    assert same_word("injured", "injuries", sharing=5)
    assert not same_word("injured", "inject", sharing=5)


def test_a_span_is_quoted_when_a_quotation_mark_opens_it() -> None:
    text = 'The show “Night Desk” and "Day Desk" won; Desk.'
    assert is_quoted(text, text.index("Night")) and is_quoted(text, text.index("Day"))
    assert not is_quoted(text, 0) and not is_quoted(text, text.rindex("Desk"))


def test_the_ranker_groups_keep_the_order_its_trained_model_was_fitted_in() -> None:
    """bot/extractive/ranker.json names its features by group: reordering `Group` would change them."""
    assert features.FEATURE_GROUPS == ("named", "thing", "number", "other")
