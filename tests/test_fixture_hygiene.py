"""The suite releases what each test opens: an embedded Chroma store opened under a test's own
temporary folder is stopped when the test ends. Chroma keeps every store it opened, with its
SQLite connections and index files, until the process ends; a full run opened over a thousand
descriptors that way, which select() and small `ulimit -n` settings refuse."""

from __future__ import annotations

from pathlib import Path

from chromadb.api.shared_system_client import SharedSystemClient

from bot.runtime import Runtime
from tests.conftest import make_settings

_OPENED: list[Path] = []


def _open_stores() -> set[str]:
    return set(SharedSystemClient._identifier_to_system)


def test_a_test_opens_a_store_in_its_own_folder(tmp_path: Path) -> None:
    runtime = Runtime(make_settings(tmp_path / "home"))
    assert runtime.store.counts() == (0, 0)  # opens the embedded store
    _OPENED.append(tmp_path)
    assert any(name.startswith(str(tmp_path)) for name in _open_stores())


def test_the_next_test_finds_that_store_released() -> None:
    (folder,) = _OPENED
    assert not any(name.startswith(str(folder)) for name in _open_stores())
