"""`newsdesk ask QUESTION`: answer from the archive with verified citations."""

from __future__ import annotations

from typing import Annotated

import typer

from bot import messages
from bot.cli.common import (
    DataDir,
    JsonFlag,
    LLMApiKey,
    LLMBaseUrl,
    LLMModel,
    fail,
    out,
    parse_as_of,
    print_json,
    settings_for,
    with_llm,
)
from language.shapes import Shape


def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE", help="Answer as of this date (YYYY-MM-DD); later articles are ignored. Default: today.", show_default=False)] = None,
    choices: Annotated[list[str] | None, typer.Option("--choice", metavar="TEXT", help="A candidate answer; repeat for each.")] = None,
    shape: Annotated[Shape | None, typer.Option("--shape", case_sensitive=False, help="Answer in this shape: one fact (factoid), or quoted points: an overview, a timeline, the latest, why (the reasons), a list. Default: the one the question's words ask for.", show_default=False)] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
    llm_base_url: LLMBaseUrl = None,
    llm_model: LLMModel = None,
    llm_api_key: LLMApiKey = None,
) -> None:
    """Answer QUESTION from the archive, quoting the passages that support it."""
    from bot.render import answer_renderable
    from bot.runtime import Runtime

    settings = with_llm(settings_for(data_dir), llm_base_url, llm_model, llm_api_key)
    runtime = Runtime(settings)
    query = runtime.query(question, parse_as_of(as_of), choices or (), shape)  # today, unless --as-of
    if runtime.store.counts()[0] == 0:
        fail(messages.EMPTY_INDEX)
    answer = runtime.answerer.ask(query)
    if as_json:
        print_json(answer.to_json())
    else:
        out.print(answer_renderable(answer))
