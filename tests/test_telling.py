"""What a sentence does: reports, quotes, asks, or is the page's furniture (language/telling.py)."""

from language.telling import telling


def test_a_report_with_a_number_is_neither_quote_nor_furniture() -> None:
    told = telling("A court sentenced the captain to nine years on Thursday.")
    assert told.numbers and not told.quote and not told.question and not told.furniture


def test_quotes_and_their_speakers_are_quotes() -> None:
    assert telling("“It is a sad day for the port,” she said.").quote
    assert telling("The union's leader called it \"a disgrace\", he told reporters.").quote
    assert not telling("Dockworkers walked off the job, the union said on Monday.").quote


def test_questions_and_page_furniture() -> None:
    assert telling("What did the inspectors find at the port?").question
    assert telling("More:Strike spreads to a second port").furniture
    assert telling("Video Ad Feedback The strike explained 02:29 - Source: Harbour TV").furniture
    assert not telling("ROTTERDAM – Dockworkers walked off the job on Monday.").furniture
