"""LLM-mode support refuses an answer its quotes contradict: a number the quotes do not state,
or a "not" where the quotes state the thing (issue 21, item 8)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import messages
from bot.llm.support import CitedSentence, Unsupported, cited_sentence, unsupported
from bot.runtime import Runtime
from bot.settings import LLMSettings
from bot.verify import verified
from index.encoders.embedder import SentenceTransformerEmbedder
from language.negation import negations
from language.numbers import numbers_in, values_in
from language.question import analyse
from tests.conftest import ingest_into, make_settings
from tests.openai_server import FakeOpenAIServer, answer_json, passage_with

DAY = date(2024, 3, 18)


def quotes(*sentences: str) -> list[CitedSentence]:
    """The sentences as consecutive sentences of one article."""
    text = " ".join(sentences)
    return [cited_sentence(text, text.index(s), text.index(s) + len(s), DAY) for s in sentences]


WAVE = "The wave reached 2.3 metres when it struck the harbour at 3 pm, the coastguard said."


@pytest.mark.parametrize("answer", ["9.9 / 3 / 2.5 metres", "9.9 metres", "2.3 or 9.9 metres", "23 metres"])
def test_a_number_the_quotes_do_not_state_is_refused(answer: str) -> None:
    assert unsupported(analyse("How high was the wave at Orlen Bay?"), answer, quotes(WAVE)) is (
        Unsupported.NUMBER_NOT_QUOTED)


@pytest.mark.parametrize(("answer", "quote"), [
    ("2.3 metres", WAVE),
    ("2,3 metres", WAVE),  # a decimal comma
    ("About 12,000 people", "Police said 12000 people marched through the city on Saturday."),
    ("12 000 people", "Police said 12,000 people marched through the city on Saturday."),
    ("2.5 million people", "Organisers said 2,500,000 people marched through the city on Saturday."),
    ("twelve people", "Police said 12 people were arrested during the march through the city."),
    ("25 people", "Police said twenty-five people were arrested during the march through the city."),
    ("12%", "Turnout in the city fell to 12 percent, officials said on Saturday."),
    ("$3bn", "The city will spend $3 billion on its new metro, officials said on Saturday."),
])
def test_the_same_number_written_another_way_is_held(answer: str, quote: str) -> None:
    question = "How high was the wave at Orlen Bay?" if quote == WAVE else "How many in the city?"
    assert unsupported(analyse(question), answer, quotes(quote)) is None


def test_a_number_may_come_from_any_cited_quote_and_a_year_from_the_article_date() -> None:
    info = analyse("How many people were hurt in the city?")
    cited = quotes("Police said 12 people were hurt in the city.", "Another 3 were taken to hospital.")
    assert unsupported(info, "12 hurt, 3 in hospital", cited) is None
    when = analyse("When did the city open its metro?")
    assert unsupported(when, "In 2024", quotes("The city opened its metro on Monday, officials said.")) is None


@pytest.mark.parametrize(("text", "values"), [
    ("12,000", {"12000"}), ("12000", {"12000"}), ("1,234,567", {"1234567"}), ("1.234.567", {"1234567"}),
    ("2,3", {"2.3"}), ("9.9", {"9.9"}), ("1.234", {"1.234"}), ("1,234.5", {"1234.5"}), ("1.234,5", {"1234.5"}),
    ("2.5 million", {"2.5", "2500000"}), ("$3bn", {"3", "3000000000"}), ("twenty-five", {"25"}),
    ("a dozen", {"12"}), ("two million", {"2", "2000000"}), ("12%", {"12"}), ("2.3m", {"2.3"}),
    ("the 120 300 were", {"120300", "120", "300"}),  # grouped by a space, or two numbers
])
def test_numbers_are_read_as_values(text: str, values: set[str]) -> None:
    assert values_in(text) == {Decimal(v) for v in values}


def test_one_is_a_number_only_when_asked_for() -> None:
    assert numbers_in("one of the victims") == [] and values_in("one of the victims") == {Decimal(1)}
    assert [n.values for n in numbers_in("one victim", ones=True)] == [frozenset({Decimal(1)})]


def test_a_negation_and_what_it_negates() -> None:
    (particle,) = negations("She did not resign.", particles_only=True)
    assert (particle.word, particle.after) == ("not", frozenset({"resign"}))
    assert [n.word for n in negations("The mayor refused to resign and denied it.")] == ["refused", "denied"]
    assert negations("The mayor refused to resign.", particles_only=True) == []
    assert negations("She lives at No. 10 Downing Street.") == []


RESIGNED = "The mayor resigned on Monday after the inquiry into the city's contracts, her office said."


@pytest.mark.parametrize("answer", ["No, she did not resign", "She never resigned", "No, the mayor didn't resign"])
def test_a_negated_answer_quoting_an_affirmative_sentence_is_refused(answer: str) -> None:
    assert unsupported(analyse("Did the mayor resign?"), answer, quotes(RESIGNED)) is Unsupported.NEGATION_NOT_QUOTED


def test_a_negation_about_something_else_does_not_count() -> None:
    quote = "The mayor resigned on Monday and did not comment on the inquiry into the city's contracts."
    assert unsupported(analyse("Did the mayor resign?"), "No, she did not resign", quotes(quote)) is (
        Unsupported.NEGATION_NOT_QUOTED)


@pytest.mark.parametrize("quote", [
    "The mayor did not resign, her office said, despite calls from the opposition.",
    "The mayor has refused to resign despite the inquiry into the city's contracts.",
    "The mayor said she would never resign over the inquiry into the city's contracts.",
    "The mayor denied that she would resign over the city's contracts.",
])
def test_a_negated_answer_quoting_a_negated_sentence_is_held(quote: str) -> None:
    assert unsupported(analyse("Did the mayor resign?"), "No, she did not resign", quotes(quote)) is None


def test_an_answer_without_a_negation_needs_none() -> None:
    assert unsupported(analyse("Did the mayor resign?"), "Yes, she resigned on Monday", quotes(RESIGNED)) is None
    assert unsupported(analyse("How many were hurt?"), "None",
                       quotes("No one was hurt when the roof fell in, officials said.")) is None


# -- end to end: a scripted model that contradicts its quotes gets the extractive answer -----------

HARBOUR = ("The wave reached 2.3 metres when it struck the harbour at Orlen Bay at 3 pm, the coastguard said.\n"
           "Nobody was hurt, and the harbour reopened on Tuesday.")
MAYOR = ("The mayor of Calder resigned on Monday after an inquiry criticised her handling of contracts.\n"
         "Her deputy will lead the council until an election in May.")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Path:
    root = tmp_path_factory.mktemp("contradictions")
    folder = root / "articles"
    folder.mkdir()
    records = [{"id": "wave", "title": "Wave hits Orlen Bay", "published": "2024-03-18", "text": HARBOUR},
               {"id": "mayor", "title": "Calder mayor quits", "published": "2024-03-18", "text": MAYOR}]
    (folder / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = ingest_into(Runtime(make_settings(root / "home"), embedder=embedder), folder)
    assert not report.failed and report.added == 2
    return root / "home"


@pytest.mark.parametrize(("question", "answer", "quote", "reason"), [
    ("How high was the wave at Orlen Bay?", "9.9 / 3 / 2.5 metres", HARBOUR.splitlines()[0],
     messages.LLM_NUMBER_NOT_QUOTED),
    ("Did the mayor of Calder resign?", "No, she did not resign", MAYOR.splitlines()[0],
     messages.LLM_NEGATION_NOT_QUOTED),
])
def test_a_model_answer_its_quote_contradicts_is_not_shown(
    home: Path, embedder: SentenceTransformerEmbedder, question: str, answer: str, quote: str, reason: str,
) -> None:
    with FakeOpenAIServer() as server:
        server.script(lambda body: answer_json(answer, (passage_with(body, quote[:30]), quote)))
        settings = make_settings(home)
        settings.llm = LLMSettings(base_url=server.base_url, model="scripted", api_key=SecretStr("sk-test"),
                                   timeout=60.0, max_retries=0)
        runtime = Runtime(settings, embedder=embedder)
        shown = verified(runtime.raw_answerer.ask(runtime.query(question, date(2024, 3, 20))), runtime.store)
    assert shown.mode == "extractive" and shown.answer != answer
    assert shown.notes[-1] == messages.LLM_FALLBACK.format(reason=reason)
