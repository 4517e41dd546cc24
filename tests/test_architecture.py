"""The shape of the house (docs/architecture.md), checked: data flows one way, rooms stay small,
and the store stays behind its seam.

    ingest -> index <- bot <- evals        (bot.cli, the top floor, may import every room)
    language: the ground floor, imported by every room, imports none
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

ROOMS = ("language", "index", "ingest", "bot", "evals")
MAX_LINES = 400
# Which rooms each room may import (its own included).
ALLOWED = {
    "language": {"language"},  # the ground floor
    "index": {"index", "language"},
    "ingest": {"ingest", "index", "language"},
    "bot": {"bot", "ingest", "index", "language"},
    "evals": {"evals", "bot", "ingest", "index", "language"},
    "bot.cli": {"evals", "bot", "ingest", "index", "language"},  # the top floor: the CLI may import every room
}


# The store's own modules: the only ones that may import chromadb (everyone else goes through
# `index.archive.Archive` and `index.factory`).
STORE_MODULES = ("index.store", "index.chroma", "index.chroma_*", "index.records")
OUTSIDE_ROOMS = ("benchmarks",)  # checked for the store's seam too, beside the rooms


def modules() -> dict[str, Path]:
    found = {}
    for room in ROOMS:
        for path in sorted((REPO / room).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(path: Path, name: str) -> Iterator[str]:
    """Every module `name` imports: at module level, inside functions and for type checking."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {target for target in imports(path, name) if target in known and target != name}
        for name, path in known.items()
    }


def test_no_room_imports_upward() -> None:
    wrong = []
    for name, targets in graph().items():
        room = "bot.cli" if name.startswith("bot.cli") else name.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            top_floor = target.startswith("bot.cli") and room != "bot.cli"
            if other not in ALLOWED[room] or top_floor:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_language_imports_no_other_room() -> None:
    """The ground floor: only the standard library and third-party packages below it."""
    house = {*ROOMS, "tests", "benchmarks"} - {"language"}
    wrong = [
        f"{name} -> {target}"
        for name, path in modules().items() if name.split(".")[0] == "language"
        for target in imports(path, name) if target.split(".")[0] in house
    ]
    assert wrong == []


def test_the_import_graph_has_no_circle() -> None:
    edges = graph()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert circles == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_over_400_lines(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it by what it is about"


def _is_store_module(name: str) -> bool:
    return any(name == m or (m.endswith("*") and name.startswith(m[:-1])) for m in STORE_MODULES)


def test_chromadb_is_imported_only_in_the_stores_modules() -> None:
    found = dict(modules())
    for folder in OUTSIDE_ROOMS:
        for path in sorted((REPO / folder).rglob("*.py")):
            found[".".join(path.relative_to(REPO).with_suffix("").parts)] = path
    naming = sorted(
        f"{name} -> {target}"
        for name, path in found.items()
        for target in imports(path, name)
        if not _is_store_module(name)
        and (target.split(".")[0] == "chromadb" or (_is_store_module(target) and not name.startswith("index.")))
    )
    assert naming == [], "the store is reached through index.archive.Archive and index.factory"
