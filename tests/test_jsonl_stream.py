"""JSONL exports stream: articles come out as lines are read, never all at once."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from index.models import Article
from ingest.exports import stream_json_lines
from ingest.items import Problem
from ingest.readers import read_file

MB = 1_000_000


def _line(n: int, **extra: object) -> str:
    return json.dumps({"title": f"Story {n}", "text": f"Body of story {n}.", **extra}) + "\n"


def test_the_first_article_comes_before_the_rest_of_the_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(_line(1))
    items = stream_json_lines(path, tmp_path, MB)
    first = next(items)
    assert isinstance(first, Article) and first.title == "Story 1"
    # Written after the first article came out: a reader that had read the whole file first
    # (a list built up front) would never see it.
    with path.open("a") as handle:
        handle.write(_line(2))
    assert [a.title for a in items if isinstance(a, Article)] == ["Story 2"]


def test_streamed_problems_are_the_ones_read_file_reports(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(_line(1, published="2999-01-01"))  # kept, undated, with a warning
        handle.write('{"title": "cut"\n')  # not JSON
        handle.write(json.dumps({"title": "no body"}) + "\n")
        handle.write(_line(4, published="2022-05-01"))
    items = list(stream_json_lines(path, tmp_path, MB))
    articles = [i for i in items if isinstance(i, Article)]
    problems = [i for i in items if isinstance(i, Problem)]
    result = read_file(path, tmp_path, MB)
    assert articles == result.articles
    assert [(p.where, p.reason, p.kind) for p in problems if p.kind == "failed"] == [
        (f"{path} ({e.where})", e.reason, "failed") for e in result.errors
    ]
    assert [(p.where, p.reason) for p in problems if p.kind == "warning"] == [
        (f"{path} ({w.where})", w.reason) for w in result.warnings
    ]
    assert [p.where for p in problems] == [f"{path} (line 1)", f"{path} (line 2)", f"{path} (line 3)"]


def test_a_file_without_any_article_is_one_problem(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.jsonl").write_text("\n\n")
    (tmp_path / "one-bad.jsonl").write_text('{"title": "no body"}\n')
    for name, reason in (("empty.jsonl", "file is empty"), ("blank.jsonl", "no records in the file"),
                         ("one-bad.jsonl", "record has no 'text' or 'body'")):
        items = list(stream_json_lines(tmp_path / name, tmp_path, MB))
        assert len(items) == 1 and isinstance(items[0], Problem), name
        assert reason in items[0].reason
