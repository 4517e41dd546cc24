"""LLM mode against servers that behave like the local ones people run (llama.cpp, Ollama, vLLM):
a context smaller than the prompt, a server too slow for the deadline, quotes that drift from the
archive's wording, a real sentence that does not support the answer, and prefix caching.
Real model, real Chroma, a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.llm.answerer import LLMAnswerer
from bot.runtime import Runtime
from index.encoders.embedder import SentenceTransformerEmbedder
from tests.conftest import SEEDS, ingest_into, make_settings
from tests.openai_server import (
    FakeOpenAIServer,
    Reply,
    answer_json,
    passage_with,
    passages_in,
    prompt_tokens,
    slow,
    slow_pieces,
    status,
    too_long,
)
from tests.test_llm_answerer import (
    JAN_2,
    JAN_5,
    QUESTION,
    TWO_DAYS,
    ask,
    assert_verbatim,
    llm_runtime,
)

ANSWER = "January 4, 2022"
BOTH_DAYS = "On January 4, 2022, two days after the protests began on January 2."

# Invented reports of the same week, so that a question retrieves more passages than a small
# context holds. Nothing here says when the protests reached Almaty.
WEEK = {
    "fuel_prices.txt": ("2022-01-03", "Fuel prices in western Kazakhstan", [
        "Drivers in the west of Kazakhstan queued for hours at filling stations as the price of liquefied gas doubled.",
        "The energy ministry said the new price reflected the market and would not be reversed soon.",
        "Taxi drivers in Aktau said their earnings had fallen by half since the start of the year.",
        "Economists in Nur-Sultan warned that a sudden rise in fuel costs would push up food prices.",
        "Local officials in the Mangystau Region met representatives of the drivers on Sunday evening.",
        "The meeting ended without an agreement, and the drivers promised to return the next day.",
    ]),
    "internet_outage.txt": ("2022-01-05", "Internet cut across Kazakhstan", [
        "Mobile internet and most websites became unreachable across Kazakhstan on Wednesday.",
        "Banks in Almaty closed their branches and cash machines stopped working in several districts.",
        "Monitoring groups said the shutdown was the widest the country had seen in a decade.",
        "Residents of Almaty said they could not reach relatives in other cities for most of the day.",
        "The telecommunications ministry did not say when the service would be restored.",
        "Businesses that sell online said they had lost most of a week's revenue.",
    ]),
    "airport.txt": ("2022-01-06", "Almaty airport closed", [
        "Almaty's international airport stopped all flights after people entered the terminal building.",
        "Airlines cancelled flights to Almaty from Moscow, Istanbul and Dubai for the rest of the week.",
        "Passengers who were already at the airport were taken to hotels in the city by bus.",
        "The airport operator said it would publish a new schedule once the building was secured.",
        "Travel agencies in Almaty said thousands of bookings had been moved to February.",
        "Freight flights carrying medicine were allowed to land later in the week.",
    ]),
    "markets.txt": ("2022-01-06", "Kazakh markets after the unrest", [
        "The tenge fell against the dollar as trading resumed in Almaty after the unrest.",
        "Shares of Kazakh companies listed in London dropped sharply on Thursday morning.",
        "Uranium prices rose because Kazakhstan produces about forty percent of the world's supply.",
        "Analysts in Almaty said investors would wait for the government to restore order.",
        "The central bank said it had enough reserves to keep the currency stable.",
        "Bitcoin miners in Kazakhstan lost their internet connections during the shutdown.",
    ]),
}


@pytest.fixture(scope="module")
def week_home(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Path:
    """The seed article and four invented reports of the same week."""
    root = tmp_path_factory.mktemp("week")
    folder = root / "articles"
    folder.mkdir()
    for name, (day, title, sentences) in WEEK.items():
        (folder / name).write_text(f" date {day} {title}\n" + "\n".join(sentences) + "\n", encoding="utf-8")
    home = root / "home"
    report = ingest_into(Runtime(make_settings(home), embedder=embedder), SEEDS, folder)
    assert not report.failed and report.added == 5
    return home


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


def cites_two_days(body: dict[str, Any]) -> Reply:
    return answer_json(ANSWER, (passage_with(body, "Two days later"), TWO_DAYS))


def answerer_of(runtime: Runtime) -> LLMAnswerer:
    answerer = runtime.raw_answerer
    assert isinstance(answerer, LLMAnswerer)
    return answerer


# -- the prompt fits the context -----------------------------------------------------------------


@pytest.mark.parametrize("wording", ["openai", "vllm", "llama.cpp", "ollama"])
def test_a_context_overflow_is_answered_by_one_smaller_prompt_with_json_mode_kept(
    week_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer, wording: str,
) -> None:
    n_ctx = 1024  # a power of two, as contexts are: what newsdesk assumes when the error gives no size
    server.script(*[too_long(n_ctx, wording, cites_two_days)] * 3)
    runtime = llm_runtime(week_home, embedder, server.base_url, passages=12, prompt_tokens=6000, max_tokens=64)
    answer = ask(runtime)

    assert (answer.mode, answer.answer, answer.notes) == ("llm", ANSWER, [])
    assert [c.quote for c in answer.citations] == [TWO_DAYS]
    first, second = server.requests
    assert prompt_tokens(first.body) + 64 > n_ctx >= prompt_tokens(second.body) + 64
    assert len(passages_in(second.body)) < len(passages_in(first.body))
    for request in (first, second):  # never blamed on JSON mode
        assert request.body["response_format"] == {"type": "json_object"}

    # What was learnt holds for the next question: it is sent once, already small enough.
    assert ask(runtime).mode == "llm"
    assert len(server.requests) == 3
    assert prompt_tokens(server.requests[2].body) + 64 <= n_ctx
    assert server.requests[2].body["response_format"] == {"type": "json_object"}


def test_a_configured_context_size_is_fitted_before_the_first_request(
    week_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    server.script(too_long(1024, "llama.cpp", cites_two_days))
    runtime = llm_runtime(week_home, embedder, server.base_url, passages=12, prompt_tokens=6000, max_tokens=64,
                          context_tokens=1024)
    assert ask(runtime).mode == "llm"
    (request,) = server.requests
    assert prompt_tokens(request.body) + 64 <= 1024


def test_a_configured_context_larger_than_the_servers_is_corrected_by_its_error(
    week_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    server.script(*[too_long(1024, "llama.cpp", cites_two_days)] * 3)
    runtime = llm_runtime(week_home, embedder, server.base_url, passages=12, prompt_tokens=6000, max_tokens=64,
                          context_tokens=8192)
    assert ask(runtime).mode == "llm" and ask(runtime).mode == "llm"
    assert len(server.requests) == 3  # one refusal, then every prompt fits
    assert [prompt_tokens(r.body) + 64 <= 1024 for r in server.requests] == [False, True, True]


@pytest.mark.parametrize(("path", "page"), [
    ("/props", {"default_generation_settings": {"n_ctx": 1024}}),  # llama.cpp
    ("/v1/models", {"object": "list", "data": [{"id": "scripted-model-1", "max_model_len": 1024}]}),  # vLLM
    ("/api/ps", {"models": [{"name": "scripted-model-1", "context_length": 1024}]}),  # Ollama
])
def test_a_context_size_the_server_reports_is_fitted_before_the_first_request(
    week_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer, path: str,
    page: dict[str, Any],
) -> None:
    server.pages[path] = page
    server.script(too_long(1024, "llama.cpp", cites_two_days), too_long(1024, "llama.cpp", cites_two_days))
    runtime = llm_runtime(week_home, embedder, server.base_url, passages=12, prompt_tokens=6000, max_tokens=64)
    assert ask(runtime).mode == "llm" and ask(runtime).mode == "llm"
    assert len(server.requests) == 2  # each question sent once, already small enough
    assert all(prompt_tokens(r.body) + 64 <= 1024 for r in server.requests)
    assert server.gets.count(path) == 1  # asked once per run


def test_the_default_budget_keeps_the_prompt_small_with_one_header_per_article(
    week_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    server.script(cites_two_days)
    runtime = llm_runtime(week_home, embedder, server.base_url)
    assert ask(runtime).mode == "llm"
    (request,) = server.requests
    settings = runtime.settings.llm
    blocks = passages_in(request.body)
    assert 1 <= len(blocks) <= settings.passages
    assert prompt_tokens(request.body) <= settings.prompt_tokens
    user = request.message("user")
    titles = [title for _, title, _ in WEEK.values()] + ["Kazakhstan: CSTO troops to quell protests"]
    for title in titles:  # an article's title is given once, however many of its passages are shown
        assert user.count(title) <= 1
    assert "Title:" not in user and "Source:" not in user


def test_an_error_that_is_not_about_json_mode_keeps_json_mode_on(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    server.script(status(400, "model 'scripted-model-1' is still loading"), cites_two_days)
    runtime = llm_runtime(seeded_home, embedder, server.base_url)
    first = ask(runtime)
    assert first.mode == "extractive"
    assert first.notes[-1] == messages.LLM_FALLBACK.format(reason=messages.LLM_HTTP_ERROR.format(status=400))
    assert ask(runtime).mode == "llm"
    assert [r.body.get("response_format") for r in server.requests] == [{"type": "json_object"}] * 2


def test_a_server_that_refuses_stream_options_is_asked_again_without_them(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    server.script(status(400, "Unrecognized request argument supplied: stream_options"), cites_two_days,
                  cites_two_days)
    runtime = llm_runtime(seeded_home, embedder, server.base_url)
    assert ask(runtime).mode == "llm" and ask(runtime).mode == "llm"
    assert ["stream_options" in r.body for r in server.requests] == [True, False, False]  # remembered
    assert all(r.body["response_format"] == {"type": "json_object"} for r in server.requests)


# -- time ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("retries", [0, 2])
def test_a_server_too_slow_for_the_deadline_gets_one_request_and_is_left(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer, retries: int,
) -> None:
    server.script(slow(30.0), cites_two_days, cites_two_days)
    runtime = llm_runtime(seeded_home, embedder, server.base_url, timeout=1.0, max_retries=retries)
    answer = ask(runtime)
    assert answer.mode == "extractive" and not answer.abstained
    assert answer.notes[-1] == messages.LLM_FALLBACK.format(reason=messages.LLM_TIMEOUT.format(seconds=1))
    assert len(server.requests) == 1  # a timeout is never retried
    assert server.requests[0].body["stream"] is True  # streamed, so that leaving stops the work
    assert server.wait_for_disconnect()  # newsdesk closed the connection; the server can stop


def test_a_generator_slower_than_the_deadline_is_cut_off_at_the_deadline(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    reply = json.dumps({"answer": ANSWER, "citations": [{"passage": 1, "quote": TWO_DAYS}]})
    server.script(slow_pieces([reply[i:i + 3] for i in range(0, len(reply), 3)], 0.25))
    runtime = llm_runtime(seeded_home, embedder, server.base_url, timeout=1.0)
    answer = ask(runtime)
    assert answer.mode == "extractive"
    assert answer.notes[-1] == messages.LLM_FALLBACK.format(reason=messages.LLM_TIMEOUT.format(seconds=1))
    assert len(server.requests) == 1
    assert server.wait_for_disconnect()


def test_prompt_tokens_and_seconds_are_reported_with_the_answer(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    server.script(cites_two_days)
    answer = ask(llm_runtime(seeded_home, embedder, server.base_url))
    (request,) = server.requests
    assert request.body["stream_options"] == {"include_usage": True}
    trace = answer.to_json()["llm"]
    assert isinstance(trace, dict)
    assert trace["prompt_tokens"] == prompt_tokens(request.body)
    assert trace["requests"] == 1 and trace["fallback"] is None
    assert isinstance(trace["seconds"], float) and trace["seconds"] >= 0


# -- stable prefixes -------------------------------------------------------------------------------


def test_two_questions_share_the_system_message_and_everything_before_the_passages(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    server.script(cites_two_days, cites_two_days)
    runtime = llm_runtime(seeded_home, embedder, server.base_url)
    ask(runtime)
    ask(runtime, "Where did the police use flashbangs to disperse the crowd?")
    first, second = server.requests
    assert first.body["messages"][0] == second.body["messages"][0]  # byte-identical system message
    assert first.body["messages"][0]["role"] == "system"
    users = [r.message("user") for r in server.requests]
    prefixes = [u[:u.index("<<<")] for u in users]
    assert prefixes[0] == prefixes[1]
    assert QUESTION not in prefixes[0] and "flashbangs" not in prefixes[1]
    boundaries = [re_boundary(u) for u in users]
    assert boundaries[0] != boundaries[1]  # the per-request boundary comes after the fixed prefix
    assert all(b not in r.message("system") for b, r in zip(boundaries, server.requests))


def re_boundary(user: str) -> str:
    return user[user.index("<<<"):].split(">>>")[0].split()[-1]


# -- quotes located, not just matched ----------------------------------------------------------------


def test_quotes_that_drift_in_case_quotes_and_leading_words_are_kept_at_exact_archive_offsets(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    drifted = [
        "the protests engulfed Almaty, in the country's southeast, where the police used flashbangs",
        "ON JANUARY 2, CROWDS TOOK TO THE STREETS IN THE CITIES OF ZHANAOZEN AND AKTAU",
    ]
    server.script(lambda body: answer_json(BOTH_DAYS, (passage_with(body, "Two days later"), drifted[0]),
                                           (passage_with(body, "On January 2"), drifted[1])))
    runtime = llm_runtime(seeded_home, embedder, server.base_url)
    answer = ask(runtime)
    assert (answer.mode, answer.dropped_citations) == ("llm", 0)
    article = runtime.store.get_article(answer.citations[0].article_id)
    assert article is not None
    two_days = next(s for s in article.text.splitlines() if s.startswith("Two days later"))
    jan_2 = next(s for s in article.text.splitlines() if s.startswith("On January 2"))
    assert [c.quote for c in answer.citations] == [two_days, jan_2]  # the archive's whole sentences
    assert [c.start for c in answer.citations] == [article.text.index(two_days), article.text.index(jan_2)]
    assert_verbatim(runtime, answer)


def test_a_quote_with_a_changed_fact_is_not_located(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    near_miss = "On January 3, crowds took to the streets in the cities of Zhanaozen and Aktau"
    server.script(lambda body: answer_json("January 3", (passage_with(body, "On January 2"), near_miss)))
    answer = ask(llm_runtime(seeded_home, embedder, server.base_url))
    assert answer.mode == "extractive"
    assert answer.notes[-1] == messages.LLM_FALLBACK.format(reason=messages.LLM_NO_VERIFIED.format(count=1))


# -- support, not just verbatim ---------------------------------------------------------------------


def test_a_real_sentence_that_does_not_hold_the_answer_is_replaced_by_the_one_that_does(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    server.script(lambda body: answer_json(ANSWER, (passage_with(body, "On January 2"), JAN_2),
                                           (passage_with(body, "On January 5"), JAN_5)))
    runtime = llm_runtime(seeded_home, embedder, server.base_url)
    answer = ask(runtime)
    assert (answer.mode, answer.answer) == ("llm", ANSWER)
    assert [c.quote[:14] for c in answer.citations] == ["Two days later"]  # holds January 4
    assert answer.notes == [messages.LLM_REPLACED.format(count=2)]
    assert_verbatim(runtime, answer)


def test_a_real_sentence_that_supports_nothing_is_not_shown_as_support(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    beheaded = "According to the TV channel, one of the victims was beheaded."
    server.script(lambda body: answer_json("353", (passage_with(body, "According to the TV"), beheaded)))
    runtime = llm_runtime(seeded_home, embedder, server.base_url)
    answer = ask(runtime, "How many members of Kazakhstan's law enforcement were injured in the clashes?")
    assert answer.answer == "353"
    assert beheaded not in [c.quote for c in answer.citations]
    assert all("353" in c.quote for c in answer.citations)
    assert_verbatim(runtime, answer)


def test_an_answer_no_sentence_of_the_article_holds_falls_back_with_a_note(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, server: FakeOpenAIServer,
) -> None:
    server.script(lambda body: answer_json("January 9, 2022", (passage_with(body, "Two days later"), TWO_DAYS)))
    answer = ask(llm_runtime(seeded_home, embedder, server.base_url))
    assert answer.mode == "extractive"
    assert answer.notes[-1] == messages.LLM_FALLBACK.format(reason=messages.LLM_NOT_IN_QUOTES)
