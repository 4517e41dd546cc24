"""`ask`'s terminal text: what is shown, and that nothing is shown twice."""

from __future__ import annotations

import io
from datetime import date

from rich.console import Console

from bot.answer import Answer, Citation
from bot.render import answer_renderable

QUOTE = "Two days later, the protests spread to the largest city."


def citation(quote: str) -> Citation:
    return Citation(article_id="a1", title="Unrest spreads", published=date(2022, 1, 5), url=None,
                    source="example.org", path="/tmp/a1.txt", quote=quote, start=10, end=10 + len(quote))


def rendered(answer: Answer) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(answer_renderable(answer))
    return buffer.getvalue()


def test_a_sentence_that_is_the_citation_quote_is_shown_once() -> None:
    answer = Answer("When?", "4 January 2022", [citation(QUOTE)], sentence=QUOTE)
    text = rendered(answer)
    assert text.count(QUOTE) == 1
    assert "4 January 2022" in text


def test_a_sentence_that_no_citation_quotes_is_shown_with_the_answer() -> None:
    other = "The protests began in the west of the country."
    text = rendered(Answer("When?", "4 January 2022", [citation(other)], sentence=QUOTE))
    assert text.count(QUOTE) == 1 and text.count(other) == 1
    assert text.index(QUOTE) < text.index(other)  # under the answer, before the sources


def test_an_answer_that_is_a_whole_quote_is_shown_once() -> None:
    text = rendered(Answer("Why?", QUOTE, [citation(QUOTE)], sentence=QUOTE))
    assert text.count(QUOTE) == 1
    assert "Unrest spreads" in text and "chars 10-" in text  # its source is still given
