"""`newsdesk kit realtimeqa`: a kit built from a tiny RealTimeQA repository tree made up here (the
public repository's layout and fields, invented questions and articles), then read back the way
`newsdesk eval` reads it."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import Runtime
from bot.settings import load_settings
from evals.kit import load_kit
from evals.kit_builder import article_id, build_realtimeqa_kit
from index.encoders.embedder import HashingEmbedder
from index.memory_store import MemoryStore
from tests.conftest import REPO
from tests.test_no_kit_text import KITS

COMMIT = "0123456789abcdef0123456789abcdef01234567"
CABLE_CAR = "https://www.dailyexample.com/2022/01/05/travel/cable-car-opens/index.html"
FERRY = "https://news.example.org/story?id=5&utm_source=feed"
BAKERY = "https://www.dailyexample.com/2022/01/12/food/bakery-award/"
CABLE_TEXT = "The town of Brenn opened its first cable car on Wednesday."


def question(qid: str, text: str, choices: list[str], answer: list[str], evidence: str = "",
             asked: str = "2022/01/06") -> dict[str, Any]:
    return {"question_id": qid, "question_date": asked, "question_source": "Example Quiz",
            "question_url": "https://quiz.example/weekly", "question_sentence": text, "choices": choices,
            "answer": answer, "evidence": evidence}


def result(url: str, text: str | None, title: str | None = None, day: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"url": url, "authors": [], "publish_date": day}
    if title is not None:
        found["title"] = title
    if text is not None:
        found["text"] = text
    return found


def jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def make_repository(root: Path) -> Path:
    """Three weeks of January 2022 (the third without search results), one of December 2021, and
    files the builder must leave alone (the "none of the above" and multi-week variants)."""
    past = root / "past"
    evidence = (f'The cable car <a href="{CABLE_CAR}#:~:text=opened">opened</a> in Brenn; '
                '<a href="https://maps.example/brenn?x=1&amp;y=2">map</a>, <a href="mailto:a@b.example">mail</a>.')
    jsonl(past / "2022" / "20220107_qa.jsonl", [
        question("20220107_0", "Which town opened a cable car this week?", ["Arlo", "Brenn", "Cask"], ["1"], evidence),
        question("20220107_1", "How long is the new ferry route?", ["2 km", "9 km"], ["7"]),
        question("20220107_2", "Which ferry line resumed service?", ["North", "South"], ["0"]),
    ])
    jsonl(past / "2022" / "20220107_gcs.jsonl", [
        {"question_id": "20220107_0", "search_time": "2022/01/07/10:00", "search_result": [
            result("http://dailyexample.com/2022/01/05/travel/cable-car-opens/", "Brenn cable car opens.",
                   "Cable car opens - Daily Example", "2022/01/05"),
            result("https://news.example.org/gone", None, "No text"),
            result(FERRY, "The North ferry line resumed service on Tuesday.", "Ferry back", "2022/01/04"),
        ]},
        {"question_id": "20220107_2", "search_time": "2022/01/07/10:00", "search_result": [
            result(FERRY + "&cid=abc", "The North ferry line resumed service.", "Ferry back", "2022/01/04")]},
        "not a record",
    ])
    jsonl(past / "2022" / "20220107_gold.jsonl", [
        {"question_id": "20220107_0", "search_result": [result(CABLE_CAR + "#:~:text=opened", CABLE_TEXT)]}])
    jsonl(past / "2022" / "20220114_qa.jsonl", [
        question("20220107_2", "Which ferry line resumed service?", ["North", "South"], ["0"], asked="2022/01/13"),
        question("20220114_0", "Which bakery won the regional prize?", ["Oven", "Crumb"], ["1"], asked="not a date"),
    ])
    jsonl(past / "2022" / "20220114_gcs.jsonl", [
        {"question_id": "20220114_0", "search_result": [result(BAKERY, "Crumb won the regional baking prize.", "Crumb wins"),
                                                        result(CABLE_CAR, CABLE_TEXT, "Cable car")]}])
    jsonl(past / "2022" / "20220121_qa.jsonl", [question("20220121_0", "Which river flooded?", ["Tamm", "Orr"], ["0"])])
    for skipped in ("20220107_qa_nota.jsonl", "20220107-20220114_qa.jsonl"):
        jsonl(past / "2022" / skipped, [question("x_0", "Which one?", ["A", "B"], ["0"])])
    jsonl(past / "2021" / "20211231_qa.jsonl", [question("20211231_0", "Which year ends?", ["2021", "2022"], ["0"])])
    jsonl(past / "2021" / "20211231_gcs.jsonl", [])
    (root / ".git" / "refs" / "heads").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".git" / "refs" / "heads" / "main").write_text(COMMIT + "\n")
    return root


def read_kit(out: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], dict[str, Any]]:
    questions = [json.loads(line) for line in (out / "questions.jsonl").read_text().splitlines()]
    with gzip.open(out / "corpus.jsonl.gz", "rt", encoding="utf-8") as lines:
        corpus = {a["id"]: a for a in map(json.loads, lines)}
    return questions, corpus, json.loads((out / "manifest.json").read_text())


def test_a_kit_is_built_like_the_shared_ones(tmp_path: Path) -> None:
    source = make_repository(tmp_path / "realtimeqa_public")
    report = build_realtimeqa_kit(source, tmp_path / "kit", date(2022, 1, 1), date(2022, 1, 31))
    assert (report.weeks, report.weeks_skipped) == (["20220107", "20220114"], ["20220121"])
    assert dict(report.questions_skipped) == {"the answer is not one of the choices": 1,
                                              "question_id used by an earlier question": 1}
    questions, corpus, manifest = read_kit(tmp_path / "kit")
    cable = hashlib.sha1(b"https://dailyexample.com/2022/01/05/travel/cable-car-opens").hexdigest()[:16]
    ferry = hashlib.sha1(b"https://news.example.org/story?id=5").hexdigest()[:16]
    assert article_id(CABLE_CAR) == cable and article_id(FERRY + "&cid=x") == ferry
    first = questions[0]
    assert {k: first[k] for k in ("id", "question_date", "answer_index", "answer", "source", "week")} == {
        "id": "20220107_0", "question_date": "2022-01-06", "answer_index": 1, "answer": "Brenn",
        "source": "Example Quiz", "week": "2022-01-07"}
    assert first["evidence_urls"] == [CABLE_CAR + "#:~:text=opened", "https://maps.example/brenn?x=1&y=2"]
    assert (first["evidence_ids"], first["evidence_in_corpus"], first["retrieved_ids"]) == ([cable], True, [cable, ferry])
    assert [q["id"] for q in questions] == ["20220107_0", "20220107_2", "20220114_0"]
    assert questions[2]["question_date"] == "2022-01-14"  # an unreadable date: the week's
    assert corpus[cable] == {  # the gold copy's longer text and URL, the search result's title
        "id": cable, "url": CABLE_CAR, "title": "Cable car opens - Daily Example", "text": CABLE_TEXT,
        "published": "2022-01-05", "published_from": "url", "source": "dailyexample.com", "origin": "gcs+gold"}
    assert {k: corpus[ferry][k] for k in ("published", "published_from", "source", "origin")} == {
        "published": "2022-01-04", "published_from": "metadata", "source": "news.example.org", "origin": "gcs"}
    assert len(corpus) == 3 and report.articles == 3
    assert manifest["source_commit"] == COMMIT and manifest["weeks_skipped_missing_files"] == ["20220121"]
    assert manifest["notes"] == {"gcs: result with missing/empty text (dropped)": 1,
                                 "gcs.jsonl: unreadable line (skipped)": 1,
                                 "articles whose URL appeared with differing texts (longest kept)": 2}


def test_the_kit_reads_back_as_newsdesk_eval_reads_it(tmp_path: Path) -> None:
    source = make_repository(tmp_path / "realtimeqa_public")
    build_realtimeqa_kit(source, tmp_path / "kit")
    dataset = load_kit(tmp_path / "kit")
    assert [q.id for q in dataset.questions] == ["20211231_0", "20220107_0", "20220107_2", "20220114_0"]
    cable_car = dataset.questions[1]
    assert (cable_car.as_of, cable_car.choices, cable_car.answer_index, cable_car.answers) == (
        date(2022, 1, 6), ("Arlo", "Brenn", "Cask"), 1, ("Brenn",))
    assert cable_car.evidence_ids == (article_id(CABLE_CAR),)
    runtime = Runtime(load_settings(home=tmp_path / "home"), embedder=HashingEmbedder(), store=MemoryStore())
    report = runtime.ingest(dataset.corpus or [])
    assert (report.added, report.failed) == (3, [])
    stored = {s.id: s for s in runtime.store.article_summaries()}
    assert stored[article_id(CABLE_CAR)].published == date(2022, 1, 5)
    assert build_realtimeqa_kit(source, tmp_path / "again").articles == 3
    assert (tmp_path / "again" / "corpus.jsonl.gz").read_bytes() == (tmp_path / "kit" / "corpus.jsonl.gz").read_bytes()


def newsdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO, timeout=120)


def test_kit_command(tmp_path: Path) -> None:
    source = make_repository(tmp_path / "realtimeqa_public")
    kit = tmp_path / "kit"
    args = ["kit", "realtimeqa", str(source), "--from", "2022-01-01", "--to", "2022-01-31", "--out", str(kit)]
    done = newsdesk(*args)
    assert done.returncode == 0, done.stderr
    assert f"wrote 3 questions of 2 week(s) and 3 articles to {kit}; evaluate with: newsdesk eval {kit}" in done.stdout
    assert "skipped week 20220121: it has questions but no search results" in done.stderr
    assert "skipped 1 question(s): the answer is not one of the choices" in done.stderr
    for bad, message in (
        (args, "exists and is not an empty folder"),
        ([*args[:3], "--from", "2022-02-01", "--to", "2022-01-01", "--out", str(tmp_path / "k2")], "is after --to"),
        ([*args[:3], "--from", "2023-01-01", "--out", str(tmp_path / "k3")], "No RealTimeQA week from 2023-01-01"),
        (["kit", "realtimeqa", str(tmp_path / "nowhere"), "--out", str(tmp_path / "k4")], "git clone https://"),
    ):
        refused = newsdesk(*bad)
        assert refused.returncode == 2 and message in refused.stderr, (bad, refused.stderr)
        assert "Traceback" not in refused.stderr
    assert not (tmp_path / "k2").exists() and not (tmp_path / "k3").exists()


@pytest.mark.skipif(not KITS.is_dir(), reason="the benchmark kits are not beside this checkout")
def test_ids_are_those_of_the_shared_kits() -> None:
    """The shared RealTimeQA kits were built by the same rules: every corpus id and evidence id
    follows from the URLs."""
    for corpus in sorted(KITS.glob("realtimeqa-*/corpus.jsonl.gz")):
        with gzip.open(corpus, "rt", encoding="utf-8") as lines:
            ids = {a["id"] for a in map(json.loads, lines) if article_id(a["url"]) == a["id"]}
        with gzip.open(corpus, "rt", encoding="utf-8") as lines:
            assert len(ids) == sum(1 for _ in lines), corpus
        for line in (corpus.parent / "questions.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            found = dict.fromkeys(article_id(u) for u in record["evidence_urls"])
            assert [i for i in found if i in ids] == record["evidence_ids"], record["id"]
