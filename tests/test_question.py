"""Question types and short answer spans."""

from __future__ import annotations

import pytest

from bot.extractive.spans import (
    candidates,
    entity_spans,
    number_spans,
    phrase_spans,
    reason_span,
)
from language.kinds import AnswerType
from language.question import analyse


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
        # Quizzes set the scene first: the asking clause decides.
        ("The league held its final on Sunday. Who was the game’s top scorer?", AnswerType.PERSON),
        ("A storm hit the coast this week. What was its top speed?", AnswerType.NUMBER),
        ("True or false: the vote was held on Monday.", AnswerType.YESNO),
        ("Which of these people joined the board?", AnswerType.PERSON),
    ],
)
def test_answer_types(question: str, kind: AnswerType) -> None:
    assert analyse(question).kind is kind


@pytest.mark.parametrize(
    ("question", "negated"),
    [
        ("Which of these is not one of the regions?", True),
        ("Which one of these films was he not in?", True),
        ("Which of these players wasn’t picked for the squad?", True),
        ("She has lived in all of these cities except:", True),
        ("Which is not one of those rivers?", True),
        ("Which region held a vote?", False),
        # The negation is part of the fact asked about: the answer is the supported choice.
        ("The mayor regrets not selling the old stadium. What is it called?", False),
        ("Which of the following ministers has said they will not attend the summit?", False),
        ("The cheese isn't made in France. Where is it actually made?", False),
        ("True or false: It is not possible to see the comet without a telescope.", False),
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
    ("question", "focus"),
    [
        ("Which long-running crime show was renewed for a new season?", "long-running crime show"),
        ("Researchers this week added which bird to the protected list?", "bird"),
        ("Which type of severe weather hit the coast?", "severe weather"),
        ("What breed of cat is the winner?", "breed of cat"),
        ("Which of these countries joined NATO?", "countries"),
        ("When did protests reach Almaty?", ""),
        ("How many members of the police were injured?", "members of the police"),
    ],
)
def test_focus_names_the_kind_of_answer(question: str, focus: str) -> None:
    assert analyse(question).focus == focus


def test_sentence_openers_are_not_names() -> None:
    for sentence, expected in [
        ("You’ll see ads on Netflix.", ["Netflix"]),
        ("Fortunately, the bridge in Riverside County survived.", ["Riverside County"]),
    ]:
        assert [sentence[a:b] for a, b in entity_spans(sentence)] == expected


def test_phrases_of_ordinary_words_for_which_thing_questions() -> None:
    info = analyse("Researchers this week added which bird to the protected list?")
    s = "The group added the tawny barn owl to its protected list on Thursday."
    assert [s[a:b] for a, b in phrase_spans(s, info.terms)] == ["group", "tawny barn owl"]
    assert "tawny barn owl" in [c.text for c in candidates(s, info.kind, info.terms, phrases=True)]
    assert "tawny barn owl" not in [c.text for c in candidates(s, info.kind, info.terms)]


def test_counts_are_scored_as_bare_numbers_but_spans_of_time_keep_their_unit() -> None:
    from evals.scoring_form import bare_count, scoring_form

    assert scoring_form("41 stores", "How many stores will close?") == "41"
    assert scoring_form("41 stores", "Which chain will close stores?") == "41 stores"
    assert [bare_count(t) for t in ["41 stores", "12,500 members", "Two days", "$5.2 billion", "45 percent"]] == [
        "41", "12,500", "Two days", "$5.2 billion", "45 percent",
    ]
    s = "On January 5, 1,000 people left."
    assert [s[a:b] for a, b in number_spans(s, with_unit=False)] == ["5", "1,000"]


def test_the_questions_own_numbers_are_not_answers() -> None:
    info = analyse("The club gained how many members in the six months ending March 31?")
    s = "The club gained 12,500 members in the six months ending March 31."
    assert [c.text for c in candidates(s, info.kind, info.terms)] == ["12,500 members"]


def test_a_capitalised_article_starts_a_new_name() -> None:
    s = "Brussels 06.01.2022 Anna van Densky The Collective Security Council approved the decision."
    spans = [s[a:b] for a, b in entity_spans(s)]
    assert "Anna van Densky" in spans and "Collective Security Council" in spans


def test_people_by_their_names() -> None:
    from language.gazetteer import looks_like_person, person_name

    assert looks_like_person("Anna van Densky") and looks_like_person("Kassym-Jomart Tokayev")
    assert not looks_like_person("van Densky") and not looks_like_person("Nur-Sultan")
    assert person_name("President of Kazakhstan Kassym-Jomart Tokayev") == "Kassym-Jomart Tokayev"


def test_names_end_at_possessives_and_datelines_are_not_names() -> None:
    for sentence, expected in [
        ("Maria Lopez’s Facebook page was closed.", ["Maria Lopez", "Facebook"]),
        ("(Reuters) Norway's bid to host the European Games moved closer.", ["Norway", "European Games"]),
        ("DENVER (AP) — Maria Lopez scored twice.", ["Maria Lopez"]),
        ("The road, known as Route 66, was repaved in 2022.", ["Route 66"]),
    ]:
        assert [sentence[a:b] for a, b in entity_spans(sentence)] == expected


def test_which_two_asks_for_both_names() -> None:
    from bot.extractive.features import type_fit

    asks = analyse("Which two countries signed the treaty?")
    assert asks.kind is AnswerType.PLACE
    assert type_fit(asks, "Chile and Peru") > type_fit(asks, "Peru")
    assert type_fit(analyse("Which country signed?"), "Peru") == 1.0


def test_fill_in_questions_are_completed_from_the_sentence() -> None:
    from bot.extractive.spans import continuation_span

    assert analyse("The death toll rose to:").kind is AnswerType.CONTINUATION
    assert analyse("He played for all of these clubs except:").kind is not AnswerType.CONTINUATION
    for sentence, lead, expected in [
        ("The official toll rose to 1,250 people on Tuesday, officials said.", "The death toll rose to", "1,250 people"),
        ("It was the sharpest fall since 2008.", "This was the biggest drop since", "2008"),
        ("The flood was caused by a worker who was trying to fix a valve, officials said.",
         "was caused by a worker who was trying to", "fix a valve"),
    ]:
        span = continuation_span(sentence, lead)
        assert span is not None and sentence[span[0]:span[1]] == expected
    assert continuation_span("Nothing here repeats it.", "the death toll rose to") is None


def test_numbers_inside_dates_are_not_counts() -> None:
    info = analyse("How many reservists could be called up under the partial mobilization?")
    s = "The partial mobilization announced on September 21 could see 300,000 reservists called up."
    assert [c.text for c in candidates(s, info.kind, info.terms)] == ["300,000 reservists"]


@pytest.mark.parametrize(
    "question",
    [
        "bold it When did protests reach Almaty?",
        "<!channel> *bold* _it_ When did protests reach Almaty?",
        "> • When did protests reach Almaty?",
        "quick question: when did protests reach Almaty",
    ],
)
def test_leading_noise_does_not_change_what_is_asked(question: str) -> None:
    assert analyse(question).kind is AnswerType.DATE


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("For what reason did the talks collapse?", AnswerType.REASON),
        ("In which city did the protests start?", AnswerType.PLACE),
        ("Since when has the border been closed?", AnswerType.DATE),
        ("To whom did the ministry award the contract?", AnswerType.PERSON),
    ],
)
def test_words_that_lead_into_the_question_word_are_kept(question: str, kind: AnswerType) -> None:
    assert analyse(question).kind is kind


def test_a_percentage_keeps_its_sign() -> None:
    s = "Turnout was 60% on Sunday, up from 48 percent."
    assert [s[a:b] for a, b in number_spans(s, with_unit=False)] == ["60%", "48 percent"]
