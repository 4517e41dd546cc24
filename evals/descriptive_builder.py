"""A descriptive set (the format evals/descriptive.py reads) built from a kit's archive: the
articles of the set's stories, and distractors from the same weeks, so that the set's questions
can be committed without the articles (which stay in the kit):

    newsdesk kit descriptive ../shared/evals/realtimeqa-dev --out DIR    # then: newsdesk eval DIR

Read: the set's `questions.jsonl` (by default the one shipped in evals/data/descriptive-dev/)
and its `stories.json` beside it (each story's name and a regular expression that finds it);
the kit's corpus. Written to OUT (new or empty): `corpus.jsonl`, every article a question lists
(`story_article_ids`, the key facts' `article_ids`) and `distractors` other articles published
in the same weeks that no story's expression finds in their title or text, chosen by a hash of
their ids (the same every run); `questions.jsonl`, a copy of the set's; `manifest.json`, counts.

Before writing, every key fact is checked: one of its accept strings must be written (as
`newsdesk eval` compares them) in one of its articles published by the question's date.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot import messages
from evals.dataset import DescriptiveQuestion
from evals.descriptive import parse_descriptive_record
from evals.descriptive_metrics import find_words, normalise
from evals.gold import DATA, read_question_lines
from evals.kit import QUESTIONS, corpus_file, corpus_records
from index.errors import UserInputError

DEV_SET = DATA / "descriptive-dev"
STORIES = "stories.json"
DISTRACTORS = 140
FIELDS = ("id", "url", "title", "text", "published", "source")


@dataclass
class DescriptiveBuild:
    out: str
    source: str
    questions: int
    story_articles: int
    distractors: int
    first_day: str
    last_day: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def build_descriptive_set(source: Path, out: Path, questions_path: Path | None = None,
                          distractors: int = DISTRACTORS) -> DescriptiveBuild:
    """Write the set of `questions_path` (default: the shipped dev set) over the kit at `source`."""
    questions_path = questions_path or DEV_SET / QUESTIONS
    corpus = corpus_file(source) if source.is_dir() else (source if source.is_file() else None)
    if corpus is None:
        raise UserInputError(messages.NOT_A_KIT.format(path=source, missing="corpus.jsonl.gz"))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserInputError(messages.KIT_OUT_NOT_EMPTY.format(path=out))
    questions = read_question_lines(questions_path, parse_descriptive_record)
    stories = _story_pattern(questions_path.parent / STORIES)
    archive = {a["id"]: a for a in corpus_records(corpus)}
    listed = _listed(questions)
    missing = [i for i in listed if i not in archive]
    if missing:
        raise UserInputError(messages.DESCRIPTIVE_ARTICLE_MISSING.format(
            count=len(missing), first=missing[0], corpus=corpus))
    check_key_facts(questions, archive)
    first = min(str(archive[i]["published"])[:10] for i in listed)
    last = max(q.as_of for q in questions).isoformat()
    chosen = [archive[i] for i in listed] + pick_distractors(archive, set(listed), stories, first, last, distractors)
    _write(out, questions_path, sorted(chosen, key=lambda a: (str(a.get("published")), a["id"])))
    report = DescriptiveBuild(str(out), str(corpus), len(questions), len(listed), len(chosen) - len(listed),
                              first, last)
    (out / "manifest.json").write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    return report


def pick_distractors(archive: dict[str, dict[str, Any]], taken: set[str], stories: re.Pattern[str] | None,
                     first: str, last: str, count: int) -> list[dict[str, Any]]:
    """`count` articles published from `first` to `last` that are not taken and no story's
    expression finds, in the order of a hash of their ids (stable across runs and machines)."""
    def fits(a: dict[str, Any]) -> bool:
        day = str(a.get("published") or "")[:10]
        return (a["id"] not in taken and first <= day <= last and bool(str(a.get("text") or "").strip())
                and not (stories and stories.search(f"{a.get('title') or ''}\n{a['text']}")))
    pool = sorted((a for a in archive.values() if fits(a)),
                  key=lambda a: hashlib.sha1(f"descriptive:{a['id']}".encode()).hexdigest())
    return pool[:count]


def check_key_facts(questions: Sequence[DescriptiveQuestion], archive: dict[str, dict[str, Any]]) -> None:
    """Every key fact is written in one of its articles, published by the question's date."""
    texts: dict[str, str] = {}
    for q in questions:
        for number, fact in enumerate(q.key_facts, start=1):
            articles = [i for i in fact.article_ids if str(archive[i].get("published"))[:10] <= q.as_of.isoformat()]
            for i in articles:
                texts.setdefault(i, normalise(str(archive[i].get("text") or "")))
            if not any(find_words(normalise(a), texts[i]) is not None for a in fact.accept for i in articles):
                raise UserInputError(messages.DESCRIPTIVE_FACT_UNWRITTEN.format(
                    question=q.id, number=number, fact=fact.fact, as_of=q.as_of))


def _listed(questions: Sequence[DescriptiveQuestion]) -> list[str]:
    ids = (i for q in questions for i in (*q.story_article_ids, *(a for f in q.key_facts for a in f.article_ids)))
    return list(dict.fromkeys(ids))


def _story_pattern(path: Path) -> re.Pattern[str] | None:
    """One expression finding any of the stories (none when the set has no stories file)."""
    if not path.is_file():
        return None
    try:
        stories = json.loads(path.read_text(encoding="utf-8"))
        return re.compile("|".join(f"(?:{s['pattern']})" for s in stories), re.IGNORECASE)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError, KeyError, re.error) as exc:
        raise UserInputError(messages.UNREADABLE_DATASET.format(path=path, reason=exc)) from exc



def _write(out: Path, questions: Path, articles: list[dict[str, Any]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as corpus:
        for article in articles:
            corpus.write(json.dumps({k: article.get(k) for k in FIELDS}, ensure_ascii=False) + "\n")
    shutil.copyfile(questions, out / QUESTIONS)
