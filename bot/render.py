"""Answers as terminal text. JSON comes from the objects' own `to_json`."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from bot import messages
from bot.answer import Answer, Citation


def citation_location(citation: Citation) -> str:
    return citation.url or citation.path or citation.article_id


def citation_notes(citation: Citation, names_shown: int = 5) -> list[str]:
    """An earlier version's day, and the other outlets that carried the story."""
    lines: list[str] = []
    if citation.superseded is not None:
        lines.append(messages.EARLIER_VERSION.format(version=citation.version, day=citation.superseded.isoformat()))
    outlets = citation.other_outlets
    if outlets:
        names = ", ".join(outlets[:names_shown]) + (", …" if len(outlets) > names_shown else "")
        lines.append(messages.ALSO_CARRIED_BY.format(count=len(outlets), names=names))
    return lines


def answer_renderable(answer: Answer) -> Group:
    parts: list[Text] = []
    if answer.abstained:
        parts.append(Text(messages.NOT_IN_ARCHIVE, style="bold yellow"))
    else:
        parts.append(Text.assemble(("Answer: ", "bold"), (answer.answer or "", "bold green")))
        # The supporting sentence is usually the first citation's quote: shown there, not twice.
        quotes = {c.quote for c in answer.citations}
        if answer.sentence and answer.sentence != answer.answer and answer.sentence not in quotes:
            parts.append(Text(f"        {answer.sentence}"))
    if answer.as_of:
        parts.append(Text(f"as of {answer.as_of.isoformat()}", style="dim"))
    if answer.citations:
        parts.append(Text(f"\n{messages.CITATIONS_HEADING}", style="bold"))
    for number, citation in enumerate(answer.citations, start=1):
        published = citation.published.isoformat() if citation.published else "undated"
        meta = " · ".join(x for x in (citation.title, published, citation.source or "") if x)
        # An extractive answer may be a whole quote: shown once, under "Answer".
        quote = "(the answer above)" if citation.quote == answer.answer else f"“{citation.quote}”"
        parts.append(Text(f"[{number}] {quote}"))
        parts.append(Text(f"    {meta}", style="dim"))
        parts.append(Text(
            f"    {citation_location(citation)} (article {citation.article_id}, "
            f"chars {citation.start}-{citation.end})", style="dim",
        ))
        for line in citation_notes(citation):
            parts.append(Text(f"    {line}", style="dim"))
    for note in answer.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    return Group(*parts)
