"""Answers as terminal text. JSON comes from the objects' own `to_json`."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from bot import messages
from bot.answer import Answer, Citation, Point


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
    if answer.points and not answer.abstained:
        return points_renderable(answer)
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
        # An extractive answer may be a whole quote: shown once, under "Answer".
        quote = "(the answer above)" if citation.quote == answer.answer else f"“{citation.quote}”"
        parts.append(Text(f"[{number}] {quote}"))
        parts.extend(_source_lines(citation))
    for note in answer.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    return Group(*parts)


def _source_lines(citation: Citation, indent: str = "    ") -> list[Text]:
    """Under a quote: its article's title, date and outlet; where it is; an earlier version's day
    and the other outlets of its story."""
    published = citation.published.isoformat() if citation.published else messages.UNDATED
    meta = " · ".join(x for x in (citation.title, published, citation.source or "") if x)
    lines = [Text(f"{indent}{meta}", style="dim"), Text(
        f"{indent}{citation_location(citation)} (article {citation.article_id}, "
        f"chars {citation.start}-{citation.end})", style="dim")]
    return lines + [Text(f"{indent}{line}", style="dim") for line in citation_notes(citation)]


def point_line(answer: Answer, point: Point) -> str:
    """A composed answer's point as one line of text: a timeline's (and the latest's) as `date —
    quote`; a list's members, or the model's own sentence in LLM mode, before its quote."""
    quote = f"“{point.citation.quote}”"
    if point.note:
        quote = f"{point.note}\n  {quote}" if answer.mode == "llm" else f"{point.note} — {quote}"
    if answer.shape in DATED_SHAPES:
        return f"{point.date.isoformat() if point.date else messages.UNDATED} — {quote}"
    return quote


DATED_SHAPES = ("timeline", "latest")  # shown as `date — quote`


def lead_point(answer: Answer) -> Point | None:
    """The point whose quote is the answer's lead (shown once, as the lead), if there is one."""
    return next((p for p in answer.points if not p.note and p.citation.quote == answer.answer), None)


def points_renderable(answer: Answer) -> Group:
    """A composed answer: its lead, then each point as a bullet with its source (the lead's source
    under the lead when the lead is the first point's quote)."""
    heading = messages.SHAPE_HEADINGS.get(answer.shape, "Answer")
    parts = [Text.assemble((f"{heading}: ", "bold"), (answer.answer or "", "bold green"))]
    points = list(answer.points)
    lead = lead_point(answer)
    if lead is not None:
        parts.extend(_source_lines(lead.citation))
        points.remove(lead)
    if answer.as_of:
        parts.append(Text(f"as of {answer.as_of.isoformat()}", style="dim"))
    if points:
        parts.append(Text(""))
    for point in points:
        parts.append(Text(f"• {point_line(answer, point)}"))
        parts.extend(_source_lines(point.citation, "  "))
    for note in answer.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    return Group(*parts)
