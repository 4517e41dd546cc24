"""Question types and short answer spans."""

from __future__ import annotations

import pytest

from bot.question import AnswerType, analyse
from bot.spans import bare_count, candidates, entity_spans, number_spans, phrase_spans, reason_span


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


@pytest.mark.parametrize(
    ("question", "negated"),
    [
        ("Which of these is not one of the regions?", True),
        ("Which one of these was she not involved with?", True),
        ("Which of these players wasn’t traded this week?", True),
        ("He coached at all of these schools except:", True),
        ("Which is not one of those areas?", True),
        ("Which region held a vote?", False),
        # The negation is part of the fact asked about: the answer is the supported choice.
        ("Martin Sheen regrets not using his birth name. What is it?", False),
        ("Which of the following figures has said they will not be attending Cop27?", False),
        ("The product isn't made in Texas. Where is it actually made?", False),
        ("True or false: It is not possible to catch the virus from monkeys.", False),
    ],
)
def test_negated_questions(question: str, negated: bool) -> None:
    assert analyse(question).negated is negated


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


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("MLB held its All-Star Game on Tuesday. Who was the game’s MVP?", AnswerType.PERSON),
        ("An earthquake struck this week. What was its magnitude?", AnswerType.NUMBER),
        ("True or false: the vote was held on Monday.", AnswerType.YESNO),
        ("Which of these people joined the board?", AnswerType.PERSON),
    ],
)
def test_the_asking_clause_decides_the_type(question: str, kind: AnswerType) -> None:
    assert analyse(question).kind is kind


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("Which wildly popular show was green lit for a new season?", "wildly popular show"),
        ("Scientists this week placed which insect on the endangered list?", "insect"),
        ("Which type of extreme weather swept through Europe?", "extreme weather"),
        ("What breed of dog is the winner?", "breed of dog"),
        ("Which of these countries joined NATO?", "countries"),
        ("When did protests reach Almaty?", ""),
    ],
)
def test_focus_names_the_kind_of_answer(question: str, focus: str) -> None:
    assert analyse(question).focus == focus


def test_sentence_openers_are_not_names() -> None:
    for sentence, expected in [
        ("You’ll see ads on Netflix.", ["Netflix"]),
        ("Fortunately, the grove in Yosemite National Park survived.", ["Yosemite National Park"]),
    ]:
        assert [sentence[a:b] for a, b in entity_spans(sentence)] == expected


def test_phrases_of_ordinary_words_for_which_thing_questions() -> None:
    info = analyse("Scientists this week placed which insect on the endangered list?")
    s = "The group placed the migratory monarch butterfly on its endangered list on Thursday."
    assert [s[a:b] for a, b in phrase_spans(s, info.terms)] == ["group", "migratory monarch butterfly"]
    assert "migratory monarch butterfly" in [c.text for c in candidates(s, info.kind, info.terms, phrases=True)]
    assert "migratory monarch butterfly" not in [c.text for c in candidates(s, info.kind, info.terms)]


def test_counts_are_bare_numbers_but_spans_of_time_keep_their_unit() -> None:
    assert [bare_count(t) for t in ["63 hot", "970,000 subscribers", "Two days", "$5.2 billion", "45 percent"]] == [
        "63", "970,000", "Two days", "$5.2 billion", "45 percent",
    ]
    s = "On January 5, 1,000 people left."
    assert [s[a:b] for a, b in number_spans(s, with_unit=False)] == ["5", "1,000"]


def test_the_questions_own_numbers_are_not_answers() -> None:
    info = analyse("Netflix lost how many subscribers in the three months ending June 30?")
    s = "Netflix lost 970,000 subscribers in the three months ending June 30."
    assert [c.text for c in candidates(s, info.kind, info.terms)] == ["970,000 subscribers"]


def test_a_capitalised_article_starts_a_new_name() -> None:
    s = "Brussels 06.01.2022 Anna van Densky The Collective Security Council approved the decision."
    spans = [s[a:b] for a, b in entity_spans(s)]
    assert "Anna van Densky" in spans and "Collective Security Council" in spans


def test_people_by_their_names() -> None:
    from bot.gazetteer import looks_like_person, person_name

    assert looks_like_person("Anna van Densky") and looks_like_person("Kassym-Jomart Tokayev")
    assert not looks_like_person("van Densky") and not looks_like_person("Nur-Sultan")
    assert person_name("President of Kazakhstan Kassym-Jomart Tokayev") == "Kassym-Jomart Tokayev"


def test_names_end_at_possessives_and_datelines_are_not_names() -> None:
    for sentence, expected in [
        ("Kanye West’s Twitter account was locked.", ["Kanye West", "Twitter"]),
        ("(CNN) Ukraine's goal of joining the European Union moved closer.", ["Ukraine", "European Union"]),
        ("LOS ANGELES (AP) — Giancarlo Stanton homered.", ["Giancarlo Stanton"]),
        ("The rule, known as Title 42, was upheld in 2022.", ["Title 42"]),
    ]:
        assert [sentence[a:b] for a, b in entity_spans(sentence)] == expected


def test_which_two_asks_for_both_names() -> None:
    from bot.extractive import type_fit

    asks = "Which two countries did NATO invite to join?"
    assert type_fit(AnswerType.PLACE, "Sweden and Finland", asks_for=asks) > type_fit(AnswerType.PLACE, "Finland", asks_for=asks)
    assert type_fit(AnswerType.PLACE, "Finland", asks_for="Which country joined?") == 1.0


def test_fill_in_questions_are_completed_from_the_sentence() -> None:
    from bot.spans import continuation_span

    assert analyse("The top prize amount ballooned to:").kind is AnswerType.CONTINUATION
    assert analyse("She appeared in all these films except:").kind is not AnswerType.CONTINUATION
    for sentence, lead, expected in [
        ("A giant lottery jackpot ballooned to $1.02 billion on Tuesday, officials said.",
         "the top prize amount ballooned to", "$1.02 billion"),
        ("It was the biggest increase since 1994.", "This was the highest hike since", "1994"),
        ("The fire was started by a man who was trying to burn a spider, officials said.",
         "was started by a man who was trying to", "burn a spider"),
    ]:
        span = continuation_span(sentence, lead)
        assert span is not None and sentence[span[0]:span[1]] == expected
    assert continuation_span("Nothing here repeats it.", "the top prize ballooned to") is None
