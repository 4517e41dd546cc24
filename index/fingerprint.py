"""Near-duplicate fingerprints of article texts: MinHash (datasketch) over word shingles, and the
LSH band keys that find look-alikes without comparing every pair.

Two texts are copies of one story when most of the shorter one's word 5-grams are in the other
(containment), estimated from their signatures: a wire story re-run with a new headline, a
changed byline, a sentence added or the last paragraphs trimmed shares most of its 5-grams;
another outlet's own report of the same event shares a few quotes and names, and little else.
Every constant is measured on a planted set in benchmarks/wire_copies.py.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from functools import cache

import numpy as np
import numpy.typing as npt

SHINGLE_WORDS = 5
PERMUTATIONS = 128
BAND_ROWS = 3  # rows per LSH band: 42 bands; a pair at Jaccard J is found with 1-(1-J^3)^42
BANDS = PERMUTATIONS // BAND_ROWS
MIN_SHINGLES = 40  # fewer distinct 5-grams (a text under ~45 words): too little to call a copy
CONTAINMENT = 0.7  # the shorter text's share of shingles in the other for it to be a copy
STORY_DAYS = 7  # at most this many days between a copy and the article it copies
SCHEME = f"minhash-affine32-seed1-p{PERMUTATIONS}-w{SHINGLE_WORDS}-r{BAND_ROWS}"

_WORD = re.compile(r"\w+")
_KEY_BITS = (1 << 52) - 1  # band keys stay exact in any JSON number


def shingles(text: str) -> set[bytes]:
    """The distinct word 5-grams of a text, case and punctuation ignored."""
    words = _WORD.findall(text.casefold())
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8")
            for i in range(max(0, len(words) - SHINGLE_WORDS + 1))}


@cache
def _permutations() -> npt.NDArray[np.uint64]:
    """Drawn once: datasketch draws them from the seed for every new MinHash otherwise."""
    from datasketch import MinHash

    return np.asarray(MinHash(num_perm=PERMUTATIONS, seed=1, scheme="affine32").permutations)


def signature(grams: set[bytes]) -> npt.NDArray[np.uint32]:
    """The MinHash signature of a set of shingles (datasketch, affine32 scheme, seed 1)."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=PERMUTATIONS, seed=1, scheme="affine32", permutations=_permutations())
    minhash.update_batch(list(grams))
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def band_keys(values: npt.NDArray[np.uint32]) -> tuple[int, ...]:
    """One key per band of BAND_ROWS values: two signatures that agree on a whole band share its key."""
    rows = values.astype("<u4")
    return tuple(
        int.from_bytes(hashlib.blake2b(rows[n * BAND_ROWS : (n + 1) * BAND_ROWS].tobytes(), digest_size=8).digest(),
                       "little") & _KEY_BITS
        for n in range(BANDS)
    )


def containment(a: bytes, size_a: int, b: bytes, size_b: int) -> float:
    """Estimated share of the smaller shingle set that is in the other, from two signatures."""
    if not size_a or not size_b:
        return 0.0
    x = np.frombuffer(a, dtype="<u4")
    y = np.frombuffer(b, dtype="<u4")
    if len(x) != len(y):
        return 0.0
    jaccard = float(np.mean(x == y))
    shared = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, shared / min(size_a, size_b))


def close_in_time(a: date | None, b: date | None) -> bool:
    """Whether two articles ran near enough in time to be copies of one story (undated: yes).
    A yearly article re-run with new figures, or a page updated months later, is not a copy."""
    return a is None or b is None or abs((a - b).days) <= STORY_DAYS
