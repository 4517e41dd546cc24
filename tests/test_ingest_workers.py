"""`ingest --workers N`: worker processes mark up and encode, the ingest's own process reads and
writes; what is stored is what one process stores. Real Chroma, real spawned processes, the
hashing encoder (and real spaCy where it is installed)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.process import BaseProcess
from pathlib import Path

import pytest

from bot.settings import load_settings
from index.encoders.embedder import HashingEmbedder, Vectors, torch_device
from index.encoders.onnx_embedder import OnnxEmbedder
from index.errors import NewsdeskError, UserInputError
from index.models import Chunk, Passage
from index.store import ArchiveStore, IndexSpec, open_client
from ingest import encoding, nlp, planning, workers
from ingest.chunking import create_chunker
from ingest.errors import IngestStopped
from ingest.pipeline import ingest
from ingest.progress import IngestProgress
from ingest.report import IngestReport

REPO = Path(__file__).resolve().parent.parent


class MarkingAnnotator:
    """Marks each chunk's first character as an entity and its first word as a phrase (picklable:
    it goes to the workers)."""

    version = "marking-1"

    def annotate(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        return [replace(c, entities=((c.start, c.start + 1, "X"),),
                        phrases=((c.start, c.start + len(c.text.split()[0])),)) for c in chunks]


class FailingEmbedder(HashingEmbedder):
    """Raises `error` for any batch holding `marker`; exits the process when `marker` is 'EXIT'."""

    def __init__(self, marker: str, error: Exception | None = None) -> None:
        super().__init__()
        self.marker = marker
        self.error = error

    def embed(self, texts: Sequence[str]) -> Vectors:
        if any(self.marker in t for t in texts):
            if self.error is None:
                os._exit(3)  # a worker killed (out of memory, say)
            raise self.error
        return super().embed(texts)


class RecordingProgress:
    def __init__(self, stop_at: int = 0, stop: threading.Event | None = None) -> None:
        self.states: list[IngestProgress] = []
        self.stop_at, self.stop = stop_at, stop

    def update(self, state: IngestProgress) -> None:
        self.states.append(state)
        if self.stop is not None and state.encoded >= self.stop_at:
            self.stop.set()


def write_corpus(folder: Path, n: int, sentences: int = 6, marker: dict[int, str] | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = " ".join(f"Sentence {j} of story {i} says the harbour in Lisbon reopened on day {j}."
                        for j in range(sentences))
        extra = (marker or {}).get(i, "")
        (folder / f"story-{i:03d}.txt").write_text(f" date 2022-05-{i % 28 + 1:02d} Story {i}\n{body} {extra}\n")


def open_store(home: Path) -> ArchiveStore:
    return ArchiveStore.open(open_client(load_settings(home=home).store), IndexSpec("hashing-fake", 40, 0, "cl100k_base"))


def run(folder: Path, store: ArchiveStore, embedder: HashingEmbedder, **kwargs: object) -> IngestReport:
    chunker = create_chunker(40, 0, "cl100k_base", embedder.max_tokens, embedder.count_tokens)
    return ingest([folder], store, embedder, chunker, max_bytes=1_000_000, **kwargs)  # type: ignore[arg-type]


def stored(store: ArchiveStore) -> dict[str, tuple[object, ...]]:
    """Every stored chunk: offsets, text, sentences, mark-up and vector."""
    vectors = {(a, text): tuple(round(float(x), 6) for x in v)
               for a in store.article_states() for _, text, v in store.stored_chunks([a])}
    chunks: list[Passage] = list(store.all_chunks())
    return {p.chunk_id: (p.start, p.end, p.text, p.sentences, p.entities, p.phrases, vectors[(p.article_id, p.text)])
            for p in chunks}


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of 4 chunks in groups of about 8, so that a small corpus keeps both workers busy."""
    monkeypatch.setattr(encoding, "ENCODE_BATCH_CHUNKS", 4)
    monkeypatch.setattr(planning, "WRITE_GROUP_CHUNKS", 8)


def test_workers_store_what_one_process_stores_and_progress_moves(
    tmp_path: Path, small_slices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "a", 30)
    alone = open_store(tmp_path / "one")
    one = run(tmp_path / "a", alone, HashingEmbedder(), annotator=MarkingAnnotator())
    pooled = open_store(tmp_path / "two")
    progress = RecordingProgress()
    two = run(tmp_path / "a", pooled, HashingEmbedder(), annotator=MarkingAnnotator(), workers=2, progress=progress)

    assert (two.added, two.chunks_added, two.embedded, two.failed) == (one.added, one.chunks_added, one.embedded, [])
    assert one.chunks_added > 30
    assert stored(pooled) == stored(alone)
    assert all(p.entities and p.phrases for p in pooled.all_chunks())
    states, last = progress.states, progress.states[-1]
    assert last.marking_up and last.passages == last.marked_up == last.encoded == two.chunks_added
    assert any(0 < s.marked_up < last.passages for s in states)  # mark-up is told as the workers go
    assert any(0 < s.encoded < last.passages for s in states)
    for name in ("marked_up", "encoded"):
        values = [getattr(s, name) for s in states]
        assert values == sorted(values), name

    started: list[int] = []
    start = workers._start

    def recording_start(processes: list[BaseProcess]) -> None:
        started.append(len(processes))
        start(processes)

    monkeypatch.setattr(workers, "_start", recording_start)
    again = run(tmp_path / "a", pooled, HashingEmbedder(), annotator=MarkingAnnotator(), workers=2)
    assert again.unchanged == 30 and again.embedded == 0  # a second run does no work,
    assert started == []  # and starts no worker


@pytest.mark.skipif(nlp.model_package() is None, reason="spaCy's English model is not installed")
def test_workers_store_the_same_spacy_markup(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    texts = [
        "Maria Lopez’s bakery in Valencia reopened on Monday after the floods, the city council said.",
        "The European Central Bank raised rates by 0.25 percentage points to 4.5% on Thursday.\n"
        "Christine Lagarde told reporters in Frankfurt that inflation was still too high.",
        "“We will not stop,” said the union’s leader, Ana Ruiz. About 3,000 nurses marched to parliament.",
    ]
    for i, text in enumerate(texts):
        (folder / f"{i}.txt").write_text(f"Story {i}\n{text}\n")
    alone, pooled = open_store(tmp_path / "one"), open_store(tmp_path / "two")
    run(folder, alone, HashingEmbedder(), annotator=nlp.ChunkAnnotator())
    run(folder, pooled, HashingEmbedder(), annotator=nlp.ChunkAnnotator(), workers=2)
    assert stored(pooled) == stored(alone)
    assert sum(len(p.entities) for p in pooled.all_chunks()) >= 8


def test_a_slice_that_fails_to_encode_is_reported_and_the_rest_stored(tmp_path: Path, small_slices: None) -> None:
    write_corpus(tmp_path / "a", 12, marker={5: "BROKEN"})
    store = open_store(tmp_path / "home")
    report = run(tmp_path / "a", store, FailingEmbedder("BROKEN", ValueError("bad input")), workers=2)
    assert [Path(f.path).name for f in report.failed] == ["story-005.txt"]
    assert "embedding failed: bad input" in report.failed[0].error
    assert report.added == 11 and len(store.article_states()) == 11


def test_a_setup_error_in_a_worker_stops_the_run(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 3)
    with pytest.raises(UserInputError, match="no such device"):
        run(tmp_path / "a", open_store(tmp_path / "home"), FailingEmbedder("", UserInputError("no such device")),
            workers=2)


def test_a_worker_that_dies_stops_the_run_keeping_what_was_stored(tmp_path: Path, small_slices: None) -> None:
    write_corpus(tmp_path / "a", 20, marker={15: "EXIT"})
    store = open_store(tmp_path / "home")
    with pytest.raises(NewsdeskError, match="worker process stopped unexpectedly"):
        run(tmp_path / "a", store, FailingEmbedder("EXIT"), workers=2)
    kept = store.article_states()
    assert 0 < len(kept) < 20
    chunks = {p.chunk_id for p in store.all_chunks()}
    for article_id in kept:  # every article recorded is complete
        assert any(c.startswith(article_id) for c in chunks)


def test_stopping_keeps_every_article_written_complete(tmp_path: Path, small_slices: None) -> None:
    write_corpus(tmp_path / "a", 40)
    store = open_store(tmp_path / "home")
    stop = threading.Event()
    with pytest.raises(IngestStopped):
        run(tmp_path / "a", store, HashingEmbedder(), workers=2, stop=stop,
            progress=RecordingProgress(stop_at=12, stop=stop))
    kept = store.article_states()
    assert 0 < len(kept) < 40
    again = run(tmp_path / "a", store, HashingEmbedder(), workers=2)
    assert again.added == 40 - len(kept) and again.unchanged == len(kept)


def newsdesk(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(REPO), **env})


def test_workers_0_is_one_clear_line_and_too_many_a_warning(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 1)
    bad = newsdesk("ingest", str(tmp_path / "a"), "--workers", "0", "--data-dir", str(tmp_path / "h"))
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
    assert bad.stderr.strip() == "error: --workers 0: give a number of worker processes, 1 or more (1: the ingest's own process)."

    many = (os.cpu_count() or 1) + 1
    ok = newsdesk("ingest", str(tmp_path / "a"), "--workers", str(many), "--data-dir", str(tmp_path / "h"),
                  NEWSDESK_EMBED_BACKEND="onnx-int8", NEWSDESK_INGEST_ANNOTATE="false")
    assert ok.returncode == 0, ok.stderr
    assert f"warning: --workers {many} is more than this machine's" in ok.stderr and "Traceback" not in ok.stderr
    assert "added 1" in ok.stdout


def test_a_gpu_that_is_not_there_falls_back_to_the_cpu_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    import onnxruntime
    import torch

    caplog.set_level(logging.WARNING)
    if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
        assert OnnxEmbedder(device="cuda").providers == ["CPUExecutionProvider"]
        assert "device 'cuda' is not available" in caplog.text and "onnxruntime-gpu" in caplog.text
    if not torch.cuda.is_available():
        caplog.clear()
        assert torch_device("cuda:1") == "cpu"
        assert "device 'cuda:1' is not available" in caplog.text
    with pytest.raises(UserInputError, match="run on cpu or cuda"):
        OnnxEmbedder(device="mps")
    assert OnnxEmbedder(device="cpu").providers == ["CPUExecutionProvider"]
