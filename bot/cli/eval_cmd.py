"""`newsdesk eval [DATASET]`: score answers, citations and retrieval against gold answers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot import messages
from bot.cli.common import (
    STDOUT,
    DataDir,
    LLMApiKey,
    LLMBaseUrl,
    LLMModel,
    RichProgress,
    err,
    out,
    print_json,
    settings_for,
    with_llm,
)
from evals.dataset import Mode
from index.errors import UserInputError

if TYPE_CHECKING:
    from rich.console import Console

    from bot.settings import Settings
    from evals.dataset import Dataset


def eval_(
    dataset: Annotated[Path | None, typer.Argument(
        metavar="DATASET", help="A gold JSONL file, a kit directory (corpus.jsonl.gz + questions.jsonl) or a "
             "descriptive set (corpus.jsonl + questions.jsonl with key facts). Default: the seed gold set.", show_default=False)] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, metavar="N", help="Ask only the first N questions.", show_default=False)] = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", metavar="PATH", help="Write the full report (metrics, breakdowns, every answer) to PATH; "
        "with - print it on stdout (the tables then go to stderr).", show_default=False)] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", metavar="PATH", help="An earlier --json report: exit 1 when a headline metric drops by "
        "more than --tolerance.", show_default=False)] = None,
    tolerance: Annotated[float, typer.Option(
        "--tolerance", min=0.0, max=1.0, help="Allowed drop per metric, as a fraction (0.01 = 1 point).")] = 0.01,
    mode: Annotated[Mode, typer.Option(
        "--mode", help="open: free-text answers; choices: pick one of the question's choices.")] = Mode.open,
    corpus: Annotated[list[Path] | None, typer.Option(
        "--corpus", metavar="PATH", help="Articles a gold file is about; they get an index of their own. "
        "Default: the data directory's archive (the seed set uses seeds/).", show_default=False)] = None,
    data_dir: DataDir = None,
    llm_base_url: LLMBaseUrl = None,
    llm_model: LLMModel = None,
    llm_api_key: LLMApiKey = None,
) -> None:
    """Ask every question of DATASET as of its date and score answers, citations and retrieval
    (in LLM mode with --llm-base-url and --llm-model: also the model's share, fallbacks, tokens, time);
    for a descriptive set, the key facts each answer shows."""
    from evals.gate import load_baseline
    from evals.tables import report_renderable

    settings = with_llm(settings_for(data_dir), llm_base_url, llm_model, llm_api_key)
    data = _load_dataset(dataset, corpus)
    earlier = load_baseline(baseline) if baseline else None  # fail before the long run, not after
    if data.kind == "descriptive":
        report = _descriptive_report(data, mode, limit, settings)
    else:
        report = _questions_report(data, mode, limit, settings)
    human = out
    if json_path == Path(STDOUT):
        print_json(report)
        human = err
    elif json_path:
        from evals.report import write_report

        write_report(report, json_path)
    human.print(report_renderable(report))

    citations_ok = _check_citations(report)
    gate_ok = _check_baseline(report, earlier, baseline, tolerance, human) if earlier and baseline else True
    if not (citations_ok and gate_ok):
        raise typer.Exit(1)


def _questions_report(data: Dataset, mode: Mode, limit: int | None, settings: Settings) -> dict[str, Any]:
    from evals.archive import open_archive
    from evals.report import build_report
    from evals.runner import questions_for, run_questions

    questions = questions_for(data.questions, mode)
    if not questions:
        raise UserInputError(messages.NO_CHOICES.format(path=data.path))
    questions = questions[:limit] if limit else questions
    progress = RichProgress()
    try:
        runtime, index = open_archive(settings, data, progress=progress)
        results = run_questions(questions, runtime.raw_answerer, runtime.store, mode, runtime.query,
                                progress=progress)
    finally:
        progress.stop()
    return build_report(data, mode, results, index, settings, runtime.store.spec.metadata(),
                        total_questions=len(data.questions))


def _descriptive_report(data: Dataset, mode: Mode, limit: int | None, settings: Settings) -> dict[str, Any]:
    """A descriptive set: every question asked in open mode, scored by the key facts shown."""
    from evals.archive import open_archive
    from evals.descriptive_report import build_descriptive_report
    from evals.descriptive_runner import run_descriptive

    if mode is Mode.choices:
        raise UserInputError(messages.NO_CHOICES.format(path=data.path))
    questions = data.descriptive[:limit] if limit else data.descriptive
    progress = RichProgress()
    try:
        runtime, index = open_archive(settings, data, progress=progress)
        results = run_descriptive(questions, runtime.raw_answerer, runtime.store, runtime.query, progress=progress)
    finally:
        progress.stop()
    return build_descriptive_report(data, results, index, settings, runtime.store.spec.metadata())


def _check_citations(report: dict[str, Any]) -> bool:
    """Any citation that is not the stored text at its offsets is a bug: it fails the run."""
    from evals.tables import fmt

    validity = report["metrics"]["citation_validity"]
    if validity is None or validity >= 1.0:
        return True
    counts = report["counts"]
    err.print(messages.CITATIONS_INVALID.format(
        value=fmt("citation_validity", validity), invalid=counts["invalid_citations"],
        total=counts["citations"]), style="bold red", markup=False)
    return False


def _check_baseline(report: dict[str, Any], earlier: dict[str, Any], path: Path, tolerance: float,
                    human: Console) -> bool:
    from evals.gate import compare, gated_keys
    from evals.tables import fmt

    theirs, ours = earlier.get("dataset") or {}, report["dataset"]
    if (theirs.get("name"), theirs.get("asked"), earlier.get("mode")) != (ours["name"], ours["asked"], report["mode"]):
        err.print(messages.BASELINE_OTHER_DATASET.format(
            theirs=_describe(theirs, earlier.get("mode")), ours=_describe(ours, report["mode"])),
            style="yellow", markup=False)
    gate = compare(report["metrics"], earlier["metrics"], tolerance, gated_keys(report))
    points = f"{100 * tolerance:g} point(s)"
    for key, old in gate.gone:
        err.print(messages.METRIC_GONE.format(metric=key, old=fmt(key, old)), style="yellow", markup=False)
    for r in gate.regressions:
        err.print(messages.REGRESSION.format(metric=r.metric, old=fmt(r.metric, r.old),
                                             new=fmt(r.metric, r.new), tolerance=points),
                  style="bold red", markup=False)
    if gate.passed:
        human.print(messages.REGRESSION_NONE.format(tolerance=points, path=path), markup=False)
    return gate.passed


def _load_dataset(path: Path | None, corpus: list[Path] | None) -> Dataset:
    from evals.gold import SEED_CORPUS, SEED_GOLD, load_gold
    from evals.kit import load_kit

    if path is None:
        return load_gold(SEED_GOLD, corpus=corpus or [SEED_CORPUS])
    path = path.expanduser()
    if path.is_dir():
        if corpus:
            raise UserInputError(messages.KIT_WITH_CORPUS.format(path=path))
        return load_kit(path)
    if path.is_file():
        return load_gold(path, corpus=corpus)
    raise UserInputError(messages.DATASET_NOT_FOUND.format(path=path))


def _describe(dataset: dict[str, Any], mode: object) -> str:
    return f"{dataset.get('name', '?')} ({dataset.get('asked', '?')} questions, mode {mode})"
