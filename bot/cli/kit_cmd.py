"""`newsdesk kit realtimeqa SOURCE --from DATE --to DATE --out DIR`: build an evaluation kit that
`newsdesk eval` reads from a local clone of a public benchmark (evals/kit_builder.py);
`newsdesk kit descriptive KIT --out DIR`: the descriptive dev set over a kit's archive
(evals/descriptive_builder.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot import messages
from bot.cli.common import JsonFlag, err, out, parse_date, print_json
from index.errors import UserInputError

kit_app = typer.Typer(help="Build evaluation kits for `newsdesk eval` from public benchmarks.",
                      no_args_is_help=True)


@kit_app.command("realtimeqa")
def realtimeqa(
    source: Annotated[Path, typer.Argument(metavar="SOURCE", help="A local clone of https://github.com/realtimeqa/realtimeqa_public (or its past/ folder).", show_default=False)],
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="The kit folder to write (new or empty).", show_default=False)],
    start: Annotated[str | None, typer.Option("--from", metavar="DATE", help="The first week to include (YYYY-MM-DD, the date in the weekly file names; default: the first there is).", show_default=False)] = None,
    end: Annotated[str | None, typer.Option("--to", metavar="DATE", help="The last week to include (default: the last there is).", show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Build a RealTimeQA kit: each week's quiz questions, the news articles found for them and
    the articles their explanations link to. Then: newsdesk eval DIR --mode choices."""
    from evals.kit_builder import build_realtimeqa_kit

    first = parse_date(start) if start else None
    last = parse_date(end) if end else None
    if first and last and first > last:
        raise UserInputError(messages.KIT_BAD_RANGE.format(start=first, end=last))
    report = build_realtimeqa_kit(source.expanduser(), out_dir.expanduser(), first, last)
    if as_json:
        print_json(report.to_json())
        return
    for week in report.weeks_skipped:
        err.print(messages.KIT_WEEK_SKIPPED.format(week=week), markup=False)
    for reason, count in sorted(report.questions_skipped.items()):
        err.print(messages.KIT_QUESTIONS_SKIPPED.format(count=count, reason=reason), markup=False)
    out.print(messages.KIT_BUILT.format(questions=report.questions, weeks=len(report.weeks),
                                        articles=report.articles, out=report.out), markup=False)


@kit_app.command("unanswerable")
def unanswerable(
    kit: Annotated[Path, typer.Argument(metavar="KIT", help="A kit folder (corpus.jsonl.gz + questions.jsonl).", show_default=False)],
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="The kit folder to write (new or empty).", show_default=False)],
    min_archive: Annotated[int, typer.Option("--min-archive", metavar="N", min=0, help="Keep a question only when the archive already holds N articles by its date.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Build an unanswerable kit from KIT: its questions asked the day before their evidence was
    published (kept when no earlier article holds the answer). Abstaining is right for every one;
    newsdesk eval DIR reports abstention precision and recall."""
    from evals.unanswerable import build_unanswerable_kit

    report = build_unanswerable_kit(kit.expanduser(), out_dir.expanduser(), min_archive)
    if as_json:
        print_json(report.to_json())
        return
    for reason, count in sorted(report.skipped.items()):
        err.print(messages.KIT_QUESTIONS_SKIPPED.format(count=count, reason=reason), markup=False)
    out.print(messages.KIT_UNANSWERABLE_BUILT.format(questions=report.questions, out=report.out), markup=False)


@kit_app.command("descriptive")
def descriptive(
    source: Annotated[Path, typer.Argument(metavar="KIT", help="The kit whose archive the set was written over (a folder with corpus.jsonl.gz): ../shared/evals/realtimeqa-dev.", show_default=False)],
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="The folder to write (new or empty).", show_default=False)],
    questions: Annotated[Path | None, typer.Option("--questions", metavar="PATH", help="A descriptive set's questions.jsonl (its stories.json beside it). Default: the set shipped in evals/data/descriptive-dev/.", show_default=False)] = None,
    distractors: Annotated[int, typer.Option("--distractors", min=0, metavar="N", help="Articles from the same weeks that belong to none of the set's stories.")] = 140,
    as_json: JsonFlag = False,
) -> None:
    """Build a descriptive set: its questions, the articles of their stories and distractors from
    the same weeks, taken from the kit's archive. Then: newsdesk eval DIR."""
    from evals.descriptive_builder import build_descriptive_set

    report = build_descriptive_set(source.expanduser(), out_dir.expanduser(),
                                   questions.expanduser() if questions else None, distractors)
    if as_json:
        print_json(report.to_json())
        return
    out.print(messages.DESCRIPTIVE_BUILT.format(
        questions=report.questions, articles=report.story_articles + report.distractors,
        story=report.story_articles, distractors=report.distractors, first=report.first_day,
        last=report.last_day, out=report.out), markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(kit_app, name="kit")
