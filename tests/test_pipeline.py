"""The staged ingest pipeline with the hashing fake and a real Chroma store."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from bot.settings import load_settings
from index.encoders.embedder import HashingEmbedder, Vectors, torch_device
from index.errors import StoreError, UserInputError
from index.models import Chunk
from index.store import ArchiveStore, IndexSpec, open_client
from ingest import encoding, pipeline, planning
from ingest.chunking import create_chunker, embedding_text
from ingest.pipeline import ingest
from ingest.progress import IngestProgress
from ingest.report import IngestReport


class RecordingProgress:
    """Records every state it is told, and whether two calls ever overlapped."""

    def __init__(self) -> None:
        self.states: list[IngestProgress] = []
        self.busy = threading.Lock()
        self.overlapped = False

    def update(self, state: IngestProgress) -> None:
        if not self.busy.acquire(blocking=False):
            self.overlapped = True
            return
        try:
            self.states.append(state)
        finally:
            self.busy.release()


class FailingEmbedder(HashingEmbedder):
    """Raises `error` for any batch holding `marker`; records every batch it was given."""

    def __init__(self, marker: str, error: BaseException) -> None:
        super().__init__()
        self.marker = marker
        self.error = error

    def embed(self, texts: Sequence[str]) -> Vectors:
        if any(self.marker in t for t in texts):
            raise self.error
        return super().embed(texts)


def write_corpus(folder: Path, n: int, sentences: int = 3) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = " ".join(f"Sentence {j} of story {i} says the harbour reopened on day {j}." for j in range(sentences))
        (folder / f"story-{i:03d}.txt").write_text(f" date 2022-05-{i % 28 + 1:02d} Story {i}\n{body}\n")


def run(folder: Path, store: ArchiveStore, embedder: HashingEmbedder, **kwargs: object) -> IngestReport:
    chunker = create_chunker(40, 0, "cl100k_base", embedder.max_tokens, embedder.count_tokens)
    return ingest([folder], store, embedder, chunker, max_bytes=1_000_000, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> ArchiveStore:
    client = open_client(load_settings(home=tmp_path / "home").store)
    return ArchiveStore.open(client, IndexSpec("hashing-fake", 40, 0, "cl100k_base"))


@pytest.fixture
def small_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups of about 5 chunks, so that a small corpus goes through the stages many times."""
    monkeypatch.setattr(planning, "WRITE_GROUP_CHUNKS", 5)
    monkeypatch.setattr(planning, "LOOKUP_BATCH", 7)
    monkeypatch.setattr(pipeline, "PLANNED_AHEAD", 2)
    monkeypatch.setattr(pipeline, "ENCODED_AHEAD", 1)


def test_every_chunk_is_encoded_once_and_stored(
    tmp_path: Path, store: ArchiveStore, small_groups: None
) -> None:
    write_corpus(tmp_path / "a", 30, sentences=6)
    embedder, progress = HashingEmbedder(), RecordingProgress()
    report = run(tmp_path / "a", store, embedder, progress=progress)

    encoded = [text for call in embedder.calls for text in call]
    assert len(embedder.calls) > 10  # many groups went through the stages
    assert len(encoded) == len(set(encoded)) == report.embedded == report.chunks_added
    assert (report.added, report.failed, store.counts()) == (30, [], (30, report.chunks_added))
    stored = store.get_chunks([f"{a}:{i:05d}" for a in store.article_states() for i in range(10)])
    articles = store.get_articles(store.article_states())
    assert sorted(encoded) == sorted(embedding_text(articles[p.article_id].title, p.text) for p in stored)
    last = progress.states[-1]
    assert (last.articles_read, last.marking_up) == (30, False)
    assert last.passages == last.encoded == report.embedded
    assert not progress.overlapped  # one call at a time, whichever stage's thread makes it

    again = run(tmp_path / "a", store, embedder := HashingEmbedder())
    assert (again.unchanged, again.embedded, embedder.calls) == (30, 0, [])


def test_a_shorter_version_replaces_all_chunks(tmp_path: Path, store: ArchiveStore) -> None:
    write_corpus(tmp_path / "a", 3, sentences=8)
    first = run(tmp_path / "a", store, HashingEmbedder())
    (tmp_path / "a" / "story-001.txt").write_text(" date 2022-05-02 Story 1\nOnly one sentence is left.\n")
    second = run(tmp_path / "a", store, HashingEmbedder())
    assert (second.updated, second.unchanged, second.chunks_added) == (1, 2, 1)
    assert second.chunks_removed > 0  # chunk 0 is overwritten, the rest removed
    assert store.counts() == (3, first.chunks_added - second.chunks_removed)
    story = next(a for a in store.get_articles(store.article_states()).values() if a.title == "Story 1")
    assert store.get_chunks([f"{story.id}:00000", f"{story.id}:00001"])[0].text == "Only one sentence is left."
    assert len(store.get_chunks([f"{story.id}:00001"])) == 0


def test_a_failing_group_is_reported_and_the_rest_stored(
    tmp_path: Path, store: ArchiveStore, small_groups: None
) -> None:
    write_corpus(tmp_path / "a", 12)
    (tmp_path / "a" / "story-005.txt").write_text(" date 2022-05-06 Story 5\nA POISON pill for the encoder.\n")
    report = run(tmp_path / "a", store, FailingEmbedder("POISON", RuntimeError("boom")))
    failed = [f for f in report.failed if "embedding failed: boom" in f.error]
    assert any(f.path.endswith("story-005.txt") for f in failed)
    assert report.added == 12 - len(failed)
    assert store.counts()[0] == report.added


def test_a_writer_error_stops_the_run_and_is_raised(
    tmp_path: Path, store: ArchiveStore, small_groups: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "a", 40)
    written: list[int] = []

    def failing_write(items: Sequence[object]) -> None:
        written.append(len(items))
        raise StoreError("disk full")

    monkeypatch.setattr(store, "write_chunks", failing_write)
    embedder = HashingEmbedder()
    with pytest.raises(StoreError, match="disk full"):
        run(tmp_path / "a", store, embedder)
    assert written == [written[0]]  # the writer stopped at its first failure
    assert len(embedder.calls) < 40  # and the encoder soon after


def test_a_planner_error_is_raised(tmp_path: Path, store: ArchiveStore, monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path / "a", 3)

    def broken(ids: object = None) -> dict[str, object]:
        raise StoreError("index unreadable")

    monkeypatch.setattr(store, "article_states", broken)
    with pytest.raises(StoreError, match="index unreadable"):
        run(tmp_path / "a", store, HashingEmbedder())


def test_an_interrupted_run_keeps_what_was_encoded(
    tmp_path: Path, store: ArchiveStore, small_groups: None
) -> None:
    write_corpus(tmp_path / "a", 20)
    (tmp_path / "a" / "story-015.txt").write_text(" date 2022-05-16 Story 15\nThe STOP sign.\n")
    embedder = FailingEmbedder("STOP", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "a", store, embedder)
    encoded_stories = {t.split("\n")[0] for call in embedder.calls for t in call}
    stored = {a.title for a in store.get_articles(store.article_states()).values()}
    assert stored and stored == encoded_stories
    assert not [t.name for t in threading.enumerate() if t.name.startswith("newsdesk-")]

    resumed = run(tmp_path / "a", store, HashingEmbedder())
    assert (resumed.unchanged, resumed.added) == (len(stored), 20 - len(stored))


def test_a_setup_error_in_the_encoder_stops_the_run(tmp_path: Path, store: ArchiveStore) -> None:
    write_corpus(tmp_path / "a", 3)
    with pytest.raises(UserInputError, match="no such device"):
        run(tmp_path / "a", store, FailingEmbedder("", UserInputError("no such device")))
    assert store.counts() == (0, 0)


def test_device_names_are_checked_before_loading() -> None:
    assert torch_device("auto") in ("cpu", "cuda", "mps")
    assert torch_device("cpu") == "cpu"
    with pytest.raises(UserInputError, match="unknown device 'tpu'"):
        torch_device("tpu")
    if not torch.cuda.is_available():  # a GPU that is not there: the CPU, with a warning
        assert torch_device("cuda:1") == "cpu"


def test_an_edited_article_reencodes_only_its_changed_chunks(tmp_path: Path, store: ArchiveStore) -> None:
    write_corpus(tmp_path / "a", 2, sentences=9)
    path = tmp_path / "a" / "story-001.txt"
    first = run(tmp_path / "a", store, HashingEmbedder())
    story = next(a for a in store.get_articles(store.article_states()).values() if a.title == "Story 1")
    n_chunks = len(store.get_chunks([f"{story.id}:{i:05d}" for i in range(20)]))
    assert n_chunks >= 3 and first.chunks_added > n_chunks

    # A correction in the last sentence: only the last chunk reads differently.
    path.write_text(path.read_text().replace("reopened on day 8.", "reopened on day 8, officials said."))
    embedder = HashingEmbedder()
    second = run(tmp_path / "a", store, embedder)
    assert (second.updated, second.unchanged, second.chunks_added) == (1, 1, n_chunks)
    assert second.embedded == 1
    assert [t.split("\n", 1)[1] for call in embedder.calls for t in call] == [
        store.get_chunks([f"{story.id}:{n_chunks - 1:05d}"])[0].text
    ]
    # The kept vectors are still the right ones: each chunk finds itself first.
    for i in range(n_chunks):
        chunk = store.get_chunks([f"{story.id}:{i:05d}"])[0]
        vector = HashingEmbedder().embed([embedding_text("Story 1", chunk.text)])[0]
        assert store.query(vector, 1)[0].chunk_id == chunk.chunk_id

    # A new headline changes what every chunk is embedded with.
    path.write_text(path.read_text().replace("Story 1\n", "Story one, revised\n"))
    third = run(tmp_path / "a", store, embedder := HashingEmbedder())
    assert (third.updated, third.embedded) == (1, n_chunks)


def test_special_files_in_a_folder_are_reported_not_silently_skipped(tmp_path: Path, store: ArchiveStore) -> None:
    write_corpus(tmp_path / "a", 1)
    (tmp_path / "a" / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    os.mkfifo(tmp_path / "a" / "pipe.txt")
    report = run(tmp_path / "a", store, HashingEmbedder())
    assert report.added == 1
    reasons = {Path(s.path).name: s.error for s in report.skipped}
    assert "broken symlink" in reasons["dangling.txt"]
    assert "symlink loop" in reasons["loop"]
    assert "not a regular file" in reasons["pipe.txt"]


def test_a_symlinked_folder_is_followed_once(tmp_path: Path, store: ArchiveStore) -> None:
    write_corpus(tmp_path / "elsewhere", 2)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "linked").symlink_to(tmp_path / "elsewhere")
    report = run(tmp_path / "a", store, HashingEmbedder())
    assert (report.added, report.skipped) == (2, [])


def test_one_huge_article_shows_progress_and_an_interrupt_keeps_its_encoded_chunks(
    tmp_path: Path, store: ArchiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encoding, "ENCODE_BATCH_CHUNKS", 8)
    folder = tmp_path / "a"
    folder.mkdir()
    body = " ".join(f"Paragraph {j} says the dam held on day {j}." for j in range(300))
    (folder / "huge.txt").write_text(f" date 2022-05-01 Huge\n{body} The STOP sign.\n")
    progress = RecordingProgress()
    embedder = FailingEmbedder("STOP", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        run(folder, store, embedder, progress=progress)
    assert max(len(call) for call in embedder.calls) <= 8  # encoded in small batches ...
    assert 0 < progress.states[-1].encoded  # ... and progress moved before the interrupt
    encoded = sum(len(call) for call in embedder.calls)
    assert store.counts() == (0, encoded)  # the chunks are kept; the article is not complete yet

    resumed_with = HashingEmbedder()
    resumed = run(folder, store, resumed_with)
    assert resumed.added == 1
    total = store.counts()[1]
    assert resumed.embedded == total - encoded  # only what was not encoded before


def huge_one_line_article(folder: Path, sentences: int) -> None:
    """A long article on a single line, as a 5 MB scraped page or export record can be."""
    folder.mkdir(parents=True, exist_ok=True)
    body = " ".join(f"Sentence {j} says the council reopened the harbour bridge on day {j}." for j in range(sentences))
    (folder / "huge.txt").write_text(f" date 2022-05-01 Huge\n{body}")


class RecordingAnnotator:
    """Marks the first character of each chunk as an entity; logs each call's size in `log`."""

    version = "recording-1"

    def __init__(self, log: list[tuple[str, int]]) -> None:
        self.log = log

    def annotate(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        self.log.append(("markup", len(chunks)))
        return [replace(c, entities=((c.start, c.start + 1, "X"),)) for c in chunks]


class LoggingEmbedder(HashingEmbedder):
    def __init__(self, log: list[tuple[str, int]]) -> None:
        super().__init__()
        self.log = log

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.log.append(("encode", len(texts)))
        return super().embed(texts)


def test_progress_moves_while_one_huge_article_is_chunked_and_marked_up(
    tmp_path: Path, store: ArchiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encoding, "ENCODE_BATCH_CHUNKS", 8)
    monkeypatch.setattr(planning, "MARKUP_BATCH_CHUNKS", 8)
    huge_one_line_article(tmp_path / "a", 200)
    progress = RecordingProgress()
    report = run(tmp_path / "a", store, HashingEmbedder(), progress=progress, annotator=RecordingAnnotator([]))

    states = progress.states
    assert report.added == 1 and report.chunks_added > 20
    last = states[-1]
    assert last.articles_read == 1 and last.marking_up
    assert last.chars_chunked == last.chars_to_chunk > 10_000
    assert last.passages == last.marked_up == last.encoded == report.chunks_added
    # Each stage moved within the one article, not only once it was done with it.
    assert any(0 < s.chars_chunked < s.chars_to_chunk for s in states)
    assert any(0 < s.marked_up < s.passages for s in states)
    assert any(0 < s.encoded < last.passages for s in states)
    for field_name in ("articles_read", "chars_chunked", "passages", "marked_up", "encoded"):
        values = [getattr(s, field_name) for s in states]
        assert values == sorted(values), field_name  # counts only grow


def test_a_huge_article_is_encoded_while_it_is_still_being_marked_up(
    tmp_path: Path, store: ArchiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Marking up all of a 5 MB article before encoding any of it kept the encoder idle for minutes."""
    for module, name, value in ((encoding, "ENCODE_BATCH_CHUNKS", 8), (planning, "MARKUP_BATCH_CHUNKS", 8),
                                (planning, "WRITE_GROUP_CHUNKS", 8), (pipeline, "PLANNED_AHEAD", 1)):
        monkeypatch.setattr(module, name, value)
    huge_one_line_article(tmp_path / "a", 200)
    log: list[tuple[str, int]] = []
    report = run(tmp_path / "a", store, LoggingEmbedder(log), annotator=RecordingAnnotator(log))

    assert report.added == 1 and report.chunks_added > 40
    steps = [step for step, _ in log]
    assert steps.index("encode") < len(steps) - 1 - steps[::-1].index("markup")
    assert max(n for step, n in log if step == "markup") <= 8
    stored = store.get_chunks([f"{a}:{i:05d}" for a in store.article_states() for i in range(report.chunks_added)])
    assert len(stored) == report.chunks_added
    assert all(p.entities == ((p.start, p.start + 1, "X"),) for p in stored)  # every chunk kept its mark-up
