"""Which files an ingest reads: named files, and every non-hidden file under named folders.

Nothing under a folder is passed over in silence: broken symlinks, special files (FIFOs, sockets,
devices) and symlinks back into a folder already read come out with the reason they are skipped.
Symlinked folders elsewhere are followed, once.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from index.errors import UserInputError


class Found(NamedTuple):
    path: Path
    root: Path  # ids of path-named articles are relative to it
    named: bool  # given on the command line, not found under a folder
    problem: str | None = None  # why it is skipped; None for a file to read


def check_paths(paths: Sequence[Path]) -> None:
    """Every path given must exist: a missing one (an unmounted drive, a typo) stops the ingest
    before anything is read, written or pruned."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserInputError(
            f"no such file or directory: {', '.join(missing)} (nothing was ingested or removed)"
        )


def discover(paths: Sequence[Path]) -> Iterator[Found]:
    for given in paths:
        if given.is_dir():
            yield from _walk(given)
        else:
            yield Found(given, given.parent, True, _special(given))


def _walk(root: Path) -> Iterator[Found]:
    seen = {root.resolve()}
    for folder, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(folder)
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            real = (here / name).resolve()
            if real in seen:
                yield Found(here / name, root, False, "symlink loop (a folder already read): not followed")
                continue
            seen.add(real)
            kept.append(name)
        dirnames[:] = kept  # os.walk descends only into these, in this order
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Found(here / name, root, False, _special(here / name))


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
