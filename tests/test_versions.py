"""Corrections and updates: a re-ingested article whose text changed keeps the text it had.

One article, corrected: version 1 is ingested with its file dated 10 January 2022 ("ended on
Monday after 12 days"), version 2 with its file dated 20 January ("ended on Tuesday after 13
days"). A question as of 15 January is answered from version 1, at exact offsets, verified; a
question as of today from version 2; `newsdesk article ID` shows version 2 and both versions.
Real model, real Chroma, real BM25; the store-level behaviour is checked on the in-memory store too.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.runtime import Runtime
from bot.settings import load_settings
from index.archive import Archive
from index.encoders.embedder import HashingEmbedder, SentenceTransformerEmbedder
from index.memory_store import MemoryStore
from index.versions import version_id
from tests.conftest import ask, ingest_into, make_settings
from tests.test_articles_cli import newsdesk

V1 = (
    "---\ntitle: Aktau ferry strike ends\ndate: 2022-01-10\nurl: https://news.example/aktau-ferry\n---\n"
    "The ferry strike in Aktau ended on Monday after 12 days, the dockers' union said.\n\n"
    "Crews accepted a pay rise of 8 percent and returned to the Caspian crossings at dawn.\n"
)
V2 = V1.replace("ended on Monday after 12 days", "ended on Tuesday after 13 days").replace(
    "8 percent", "9 percent")
V3 = V2 + "\nCorrection: an earlier version of this article misstated the day the strike ended.\n"
QUESTION = "When did the ferry strike in Aktau end?"
BEFORE, AFTER = date(2022, 1, 15), date(2022, 1, 25)


def write(path: Path, text: str, day: date) -> None:
    """The file as a newsroom leaves it: its text, last modified on `day` (its `received` day)."""
    path.write_text(text)
    stamp = datetime(day.year, day.month, day.day, 12).timestamp()
    os.utime(path, (stamp, stamp))


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder,
              ) -> tuple[Runtime, Path, str]:
    root = tmp_path_factory.mktemp("versions")
    news = root / "news"
    news.mkdir()
    write(news / "aktau.md", V1, date(2022, 1, 10))
    runtime = Runtime(make_settings(root / "home"), embedder=embedder)
    assert ingest_into(runtime, news).added == 1
    write(news / "aktau.md", V2, date(2022, 1, 20))
    report = ingest_into(runtime, news)
    assert (report.updated, report.versions_kept, report.failed) == (1, 1, [])
    [summary] = runtime.store.article_summaries()
    return runtime, root / "home", summary.id


def test_an_as_of_question_before_the_correction_cites_the_first_text(corrected: tuple[Runtime, Path, str]) -> None:
    runtime, _, article_id = corrected
    answer = ask(runtime, QUESTION, BEFORE)
    assert answer.citations and not answer.dropped_citations  # verified by the runtime's gate
    for citation in answer.citations:
        assert citation.article_id == version_id(article_id, 1)
        assert (citation.version, citation.superseded) == (1, date(2022, 1, 20))
        first = runtime.store.get_article(citation.article_id)
        assert first is not None and first.text[citation.start : citation.end] == citation.quote
    assert "Monday" in " ".join(c.quote for c in answer.citations)


def test_a_question_after_the_correction_cites_the_current_text(corrected: tuple[Runtime, Path, str]) -> None:
    runtime, _, article_id = corrected
    for as_of in (AFTER, date.today()):
        answer = ask(runtime, QUESTION, as_of)
        assert answer.citations and not answer.dropped_citations
        assert {c.article_id for c in answer.citations} == {article_id}
        assert all(c.version == 2 and c.superseded is None for c in answer.citations)
        assert "Tuesday" in " ".join(c.quote for c in answer.citations)
    assert ask(runtime, QUESTION, date(2022, 1, 5)).abstained  # before either version


def test_the_keyword_side_reads_the_version_current_then(corrected: tuple[Runtime, Path, str]) -> None:
    runtime, _, article_id = corrected
    for as_of, wanted in ((BEFORE, version_id(article_id, 1)), (AFTER, article_id)):
        found = runtime.retriever.keyword_search(runtime.query("Aktau dockers pay percent", as_of), 5)
        assert {p.article_id for p in found} == {wanted}


def test_article_shows_the_current_text_and_lists_the_versions(corrected: tuple[Runtime, Path, str]) -> None:
    _, home, article_id = corrected
    shown = newsdesk("article", article_id, home=home)
    assert shown.returncode == 0, shown.stderr
    assert "Tuesday after 13 days" in shown.stdout and "Monday" not in shown.stdout
    assert "v1 · 2022-01-10 to 2022-01-20" in shown.stdout and "v2 · current since 2022-01-20" in shown.stdout
    first = newsdesk("article", article_id, "--version", "1", home=home)
    assert first.returncode == 0, first.stderr
    assert "Monday after 12 days" in first.stdout and "replaced on 2022-01-20" in first.stdout
    by_id = newsdesk("article", version_id(article_id, 1), "--json", home=home)
    data = json.loads(by_id.stdout)
    assert (data["version"], data["superseded"]) == (1, "2022-01-20") and "Monday" in data["text"]
    assert [(v["version"], v["from"], v["until"]) for v in data["versions"]] == [
        (1, "2022-01-10", "2022-01-20"), (2, "2022-01-20", None)]
    missing = newsdesk("article", article_id, "--version", "7", home=home)
    assert missing.returncode != 0 and "has no version 7; it has v1, v2" in missing.stderr
    assert "Traceback" not in missing.stderr


# -- the store itself, on Chroma and in memory ---------------------------------------------------

@pytest.fixture(params=["chroma", "memory"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Runtime:
    store: Archive | None = MemoryStore() if request.param == "memory" else None
    return Runtime(load_settings(home=tmp_path / "home"), embedder=HashingEmbedder(), store=store)


def test_unchanged_and_metadata_only_reingests_keep_no_new_version(fresh: Runtime, tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    write(news / "aktau.md", V1, date(2022, 1, 10))
    fresh.ingest([news])
    write(news / "aktau.md", V2, date(2022, 1, 20))
    fresh.ingest([news])
    again = fresh.ingest([news])
    assert (again.unchanged, again.versions_kept, again.embedded) == (1, 0, 0)
    write(news / "aktau.md", V2.replace("title: Aktau ferry strike ends", "title: Aktau strike over"),
          date(2022, 1, 21))
    retitled = fresh.ingest([news])
    assert (retitled.updated, retitled.versions_kept) == (1, 0)
    [summary] = fresh.store.article_summaries()
    current = fresh.store.get_article(summary.id)
    assert current is not None and (current.version, current.revised, current.title) == (
        2, date(2022, 1, 20), "Aktau strike over")
    assert [v.version for v in fresh.store.article_versions(summary.id)] == [1]


def test_every_version_is_kept_with_exact_offsets_and_deleted_with_its_article(fresh: Runtime, tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    for text, day in ((V1, date(2022, 1, 10)), (V2, date(2022, 1, 20)), (V3, date(2022, 2, 1))):
        write(news / "aktau.md", text, day)
        fresh.ingest([news])
    [summary] = fresh.store.article_summaries()
    earlier = fresh.store.article_versions(summary.id)
    assert [(v.id, v.version, v.available, v.superseded) for v in earlier] == [
        (version_id(summary.id, 1), 1, date(2022, 1, 10), date(2022, 1, 20)),
        (version_id(summary.id, 2), 2, date(2022, 1, 20), date(2022, 2, 1)),
    ]
    texts = {v.id: v.text for v in earlier}
    chunks = [p for p in fresh.store.all_chunks() if p.article_id in texts]
    assert chunks and all(texts[p.article_id][p.start : p.end] == p.text for p in chunks)
    assert fresh.store.counts()[0] == 1  # earlier versions are not articles of their own
    fresh.store.delete_articles([summary.id])
    assert fresh.store.article_versions(summary.id) == [] and list(fresh.store.all_chunks()) == []
    assert fresh.store.get_articles([version_id(summary.id, 1)]) == {}
