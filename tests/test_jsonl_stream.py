"""JSONL exports stream: articles come out as lines are read, never all at once."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from index.models import Article
from ingest.exports import stream_json_lines
from ingest.formats import read_file
from ingest.items import Problem

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


# -- issue 21: a damaged .jsonl.gz is one failed file (each of these failed before its fix) --------


def _member(first: int, count: int) -> bytes:
    """One gzip member holding `count` records from story `first` on."""
    return gzip.compress("".join(_line(n, id=f"s{n}") for n in range(first, first + count)).encode())


def _damaged(member: bytes) -> bytes:
    """A member whose deflate data starts with an invalid block type: zlib refuses it."""
    broken = bytearray(member)
    broken[10] |= 0b111
    return bytes(broken)


def test_a_corrupt_gzip_member_keeps_the_checked_records_before_it(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(_member(1, 3) + _damaged(_member(4, 3)))  # e.g. two exports appended
    items = list(stream_json_lines(path, tmp_path, MB))  # raised zlib.error before
    assert [i.title for i in items if isinstance(i, Article)] == ["Story 1", "Story 2", "Story 3"]
    [problem] = [i for i in items if isinstance(i, Problem)]
    assert problem.where == str(path) and problem.kind == "failed"  # the file failed, not a line
    assert "corrupt" in problem.reason and "the 3 records before the damage were read" in problem.reason
    result = read_file(path, tmp_path, MB)
    assert [a.title for a in result.articles] == ["Story 1", "Story 2", "Story 3"]
    assert [(e.where, e.reason) for e in result.errors] == [("", problem.reason)]


def test_a_gzip_member_whose_checksum_fails_gives_no_records(tmp_path: Path) -> None:
    """A changed byte can decode to changed text and be caught only by the checksum at the end of
    its member: no record of that member can be trusted, however well its JSON parses."""
    member = bytearray(gzip.compress(("".join(_line(n) for n in range(1, 4))).encode()))
    member[-8] ^= 0xFF  # the CRC-32 of the member
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(bytes(member))
    items = list(stream_json_lines(path, tmp_path, MB))
    assert [i for i in items if isinstance(i, Article)] == []
    [problem] = items
    assert isinstance(problem, Problem) and problem.where == str(path) and "corrupt" in problem.reason


def test_a_gzip_file_cut_short_keeps_its_whole_lines_and_fails_as_a_file(tmp_path: Path) -> None:
    whole = _member(1, 40)
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    items = list(stream_json_lines(path, tmp_path, MB))
    articles = [i for i in items if isinstance(i, Article)]
    assert 0 < len(articles) < 40 and articles[-1].title == f"Story {len(articles)}"
    [problem] = [i for i in items if isinstance(i, Problem)]
    assert problem.where == str(path) and "cut short" in problem.reason
