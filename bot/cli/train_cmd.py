"""`newsdesk train-ranker KIT... --out PATH`: train the learned answer ranker on benchmark kits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot import messages
from bot.cli.common import DataDir, RichProgress, interrupted_means, out, settings_for

if TYPE_CHECKING:
    from bot.extractive.answerer import ExtractiveAnswerer
    from bot.extractive.ranker_fit import Example, MakeQuery
    from bot.settings import Settings


def train_ranker(
    kits: Annotated[list[Path], typer.Argument(
        metavar="KIT...", help="Kit directories (corpus.jsonl.gz + questions.jsonl) to train on: only data you "
        "may tune on, never a confirm set.", show_default=False)],
    out_path: Annotated[Path, typer.Option(
        "--out", metavar="PATH", help="Where to write the model (JSON): a new file, or an earlier model to replace. Ship it as "
        "bot/extractive/ranker.json, or point NEWSDESK_ANSWER_RANKER_MODEL at it.")],
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, metavar="N", help="Use only the first N questions of each kit.", show_default=False)] = None,
    data_dir: DataDir = None,
) -> None:
    """Fit the answer ranker to the kits' gold answers, measure it on held-out weeks, write it with its record."""
    from bot.extractive.ranker import is_model_file
    from bot.extractive.ranker_fit import (
        collect,
        collect_choices,
        fit,
        training_record,
        with_choices,
    )
    from index.errors import UserInputError

    settings = settings_for(data_dir)
    if settings.llm.enabled:
        raise UserInputError(messages.TRAIN_WITHOUT_LLM)
    if out_path.exists() and not is_model_file(out_path):  # before the long run, not after
        raise UserInputError(messages.TRAIN_OUT_NOT_A_MODEL.format(path=out_path))
    settings.answer = settings.answer.model_copy(update={"ranker": False})  # read as if untrained
    groups = []
    progress = RichProgress()
    with interrupted_means(messages.TRAIN_INTERRUPTED):
        try:
            kits_read = []
            for path in kits:
                kit = _open_kit(settings, path, limit, progress)
                kits_read.append(kit)
                progress.start(len(kit.examples), f"Reading {kit.name}")
                groups += collect(kit.answerer, kit.query, kit.examples, lambda: progress.advance(1))
            fitted = fit(groups, training_record([kit.name for kit in kits_read], groups))
            choice_rows = []
            for kit in kits_read:  # the choices are read with the answer model just fitted
                progress.start(len(kit.examples), "Reading the choices")
                choice_rows += collect_choices(kit.answerer, fitted.model, kit.query, kit.examples,
                                               lambda: progress.advance(1))
            fitted = with_choices(fitted, choice_rows)
        finally:
            progress.stop()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(fitted.model.to_json(), indent=1) + "\n", encoding="utf-8")
    out.print(messages.TRAIN_DONE.format(path=out_path, **fitted.metrics), markup=False)


@dataclass(frozen=True)
class _Kit:
    name: str
    answerer: ExtractiveAnswerer  # the extractive answerer over the kit's own index
    query: MakeQuery
    examples: list[Example]


def _open_kit(settings: Settings, path: Path, limit: int | None, progress: RichProgress) -> _Kit:
    """A kit's questions as training examples, and the answerer over its index (built or reused)."""
    from bot.extractive.answerer import ExtractiveAnswerer
    from evals.archive import open_archive
    from evals.kit import load_kit
    from evals.ranker_training import examples
    from index.errors import UserInputError

    if not path.is_dir():
        raise UserInputError(messages.DATASET_NOT_FOUND.format(path=path))
    kit = load_kit(path)
    runtime, _ = open_archive(settings, kit, progress=progress)
    answerer = runtime.raw_answerer
    if not isinstance(answerer, ExtractiveAnswerer):  # LLM mode is refused before
        raise UserInputError(messages.TRAIN_WITHOUT_LLM)
    questions = kit.questions[:limit] if limit else kit.questions
    return _Kit(kit.name, answerer, runtime.query, examples(questions, date.today()))
