"""The seams: another store and a reranker stage are compositions in the runtime, nothing else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.query import Query
from bot.runtime import Runtime
from bot.settings import load_settings
from index.encoders.embedder import HashingEmbedder
from index.memory_store import MemoryStore
from index.models import Passage

AS_OF = date(2022, 3, 31)


class PreferWord:
    """A toy reranker stage: passages that use `word` first. Records what it was given."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.seen: list[tuple[str, list[str]]] = []

    def rerank(self, query: Query, passages: list[Passage]) -> list[Passage]:
        self.seen.append((query.text, [p.article_id for p in passages]))
        return sorted(passages, key=lambda p: self.word not in p.text.lower())


def archive(folder: Path) -> Path:
    folder.mkdir()
    (folder / "ferry.txt").write_text(" date 2022-03-10 Ferry strike\nThe ferry strike ended on Monday "
                                      "after crews accepted a pay offer, the union said.\n")
    (folder / "bridge.txt").write_text(" date 2022-03-11 Bridge reopens\nThe strike-hit bridge reopened on "
                                       "Tuesday after repairs, and a ferry ran alongside it.\n")
    return folder


def test_the_memory_store_serves_the_whole_house(tmp_path: Path) -> None:
    store = MemoryStore()
    runtime = Runtime(load_settings(home=tmp_path / "home"), embedder=HashingEmbedder(), store=store)
    report = runtime.ingest([archive(tmp_path / "a")])
    assert (report.added, store.counts()[0]) == (2, 2)
    answer = runtime.answerer.ask(runtime.query("When did the ferry strike end?", AS_OF))
    assert answer.citations and answer.as_of == AS_OF
    for citation in answer.citations:  # verified against the memory store's texts
        article = store.get_article(citation.article_id)
        assert article is not None and article.text[citation.start : citation.end] == citation.quote
    assert store.queries and all(as_of == AS_OF for as_of, _ in store.queries)
    again = runtime.ingest([tmp_path / "a"])
    assert (again.unchanged, again.embedded) == (2, 0)


def test_a_reranker_stage_is_composed_through_the_runtime(tmp_path: Path) -> None:
    stage = PreferWord("bridge")
    runtime = Runtime(load_settings(home=tmp_path / "home"), embedder=HashingEmbedder(), store=MemoryStore(),
                      rerankers=[stage])
    runtime.ingest([archive(tmp_path / "a")])
    ids = {s.title: s.id for s in runtime.store.article_summaries()}
    question = "When did the ferry strike end?"
    answer = runtime.answerer.ask(runtime.query(question, AS_OF))
    [(asked, given)] = stage.seen  # the stage saw the query and the retrieved passages, once
    assert asked == question
    assert given[0] == ids["Ferry strike"]  # retrieval put the ferry story first ...
    assert answer.retrieved[0] == ids["Bridge reopens"]  # ... the stage's order is what the answerer read
