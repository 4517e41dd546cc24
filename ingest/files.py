"""Which files an ingest reads: named files, and every non-hidden file under named folders;
and which arguments are web addresses (http(s) URLs of feeds and sitemaps) instead.

Nothing under a folder is passed over in silence: broken symlinks, special files (FIFOs, sockets,
devices), symlink loops and symlinks to what the folder holds under its own name come out with the
reason they are skipped. Symlinked files and folders elsewhere are followed, once.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, TypeAlias

from index.errors import UserInputError

# What an ingest is given: a file or folder (a Path), or an http(s) URL (kept as text).
Source: TypeAlias = Path | str
_URL = re.compile(r"https?://[^/\s]", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_BARE_ADDRESS = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/|$)", re.I)


class Found(NamedTuple):
    path: Path
    root: Path  # ids of path-named articles are relative to it
    named: bool  # given on the command line, not found under a folder
    problem: str | None = None  # why it is skipped; None for a file to read


def is_url(source: Source) -> bool:
    return isinstance(source, str) and bool(_URL.match(source))


def as_sources(args: Sequence[str | Path]) -> list[Source]:
    """Command-line arguments as sources: a URL stays text (`check_paths` refuses all but
    http(s)), anything else is a path."""
    return [arg if isinstance(arg, str) and _SCHEME.match(arg) else Path(arg) for arg in args]


def local_paths(sources: Sequence[Source]) -> list[Path]:
    return [Path(s) for s in sources if not is_url(s)]


def check_paths(sources: Sequence[Source]) -> None:
    """Every path given must exist: a missing one (an unmounted drive, a typo) stops the ingest
    before anything is read, written or pruned. URLs are checked when they are fetched; another
    scheme (ftp://, file://) is refused here."""
    missing, foreign = [], []
    for source in sources:
        text = str(source)
        if is_url(source):
            continue
        if isinstance(source, str) and _SCHEME.match(source):
            foreign.append(text)
        elif not Path(source).exists():
            missing.append(text + (" (a web address needs http:// or https://)" if _BARE_ADDRESS.match(text) else ""))
    problems = ([f"no such file or directory: {', '.join(missing)}"] if missing else []) + (
        [f"not a file, a folder or an http(s) URL: {', '.join(foreign)}"] if foreign else [])
    if problems:
        raise UserInputError(f"{'; '.join(problems)} (nothing was ingested or removed)")


def discover(paths: Sequence[Path]) -> Iterator[Found]:
    for given in paths:
        if given.is_dir():
            yield from _walk(given)
        else:
            yield Found(given, given.parent, True, _special(given))


def _walk(root: Path) -> Iterator[Found]:
    """Every non-hidden file under `root`, each real file and folder once, under its own name when
    it has one there: a symlink to a file or folder inside `root` is skipped (the target is read
    under its own name, whichever name comes first), one to elsewhere is followed once."""
    top = root.resolve()
    read_as = {top: root}  # each real folder walked -> the name it is walked under
    for folder, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(folder)
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            problem = _linked_folder(here / name, read_as, top)
            if problem is not None:
                yield Found(here / name, root, False, problem)
                continue
            read_as[(here / name).resolve()] = here / name
            kept.append(name)
        dirnames[:] = kept  # os.walk descends only into these, in this order
        for name in sorted(filenames):
            if not name.startswith("."):
                path = here / name
                yield Found(path, root, False, _special(path) or _read_under_own_name(path, top))


def _linked_folder(path: Path, read_as: dict[Path, Path], top: Path) -> str | None:
    """Why the folder `path` is not walked (a symlink loop, a folder read already or read under
    its own name), or None."""
    real = path.resolve()
    if real == path.parent.resolve() or real in path.parent.resolve().parents:
        return "symlink loop (a folder it is in): not followed"
    if real in read_as:
        return f"a folder already read as {read_as[real]}: not followed"
    return _read_under_own_name(path, top)


def _read_under_own_name(path: Path, top: Path) -> str | None:
    """For a symlink to a file or folder inside the folder being read (`top`, resolved) that the
    walk reaches under its own name: why the link itself is skipped."""
    if not path.is_symlink():
        return None
    real = path.resolve()
    try:
        inside = real.relative_to(top).parts
    except ValueError:
        return None
    if not inside or any(part.startswith(".") for part in inside):
        return None  # the folder itself (a loop, caught before), or hidden: read through the link
    return f"symlink to {Path(*inside)}, which is read under its own name"


def _special(path: Path) -> str | None:
    """Why a path cannot be read as a file, or None when it can."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return f"broken symlink (points to {os.readlink(path)})"
        return "no such file"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"not a regular file ({kind})"
