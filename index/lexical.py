"""BM25 over chunk texts (bm25s), persisted beside the store and rebuilt only when the store changed.

Dense vectors drift on names and numbers ("Aktau" vs "Atyrau", "353" vs "12"); exact term matching
keeps them. Dates are kept per chunk so that `as_of` filters the lexical side exactly as the dense one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from index.archive import Archive, date_int
from index.records import article_of

if TYPE_CHECKING:
    import bm25s

log = logging.getLogger(__name__)
_STAMP = "newsdesk-stamp.json"


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def _tokenize(texts: list[str]) -> Any:
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs index loading at DEBUG
    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False)


@dataclass
class LexicalIndex:
    bm25: bm25s.BM25
    chunk_ids: list[str]
    pub: npt.NDArray[np.int64]  # yyyymmdd per chunk, 0 when undated
    revision: str
    # yyyymmdd per chunk of an earlier version: the day it was replaced (index/versions.py); 0: current
    until: npt.NDArray[np.int64]

    @classmethod
    def build(cls, store: Archive) -> LexicalIndex:
        import bm25s

        ids: list[str] = []
        texts: list[str] = []
        pubs: list[int] = []
        untils: list[int] = []
        revision = store.revision()
        for passage in store.all_chunks():
            ids.append(passage.chunk_id)
            texts.append(f"{passage.title}\n{passage.text}")
            pubs.append(date_int(passage.available))
            untils.append(date_int(passage.superseded))
        bm25 = bm25s.BM25()
        if texts:
            bm25.index(_tokenize(texts), show_progress=False)
        return cls(bm25, ids, np.asarray(pubs, dtype=np.int64), revision, np.asarray(untils, dtype=np.int64))

    def save(self, folder: Path) -> None:
        """Write to a folder of this process's own, then rename it into place: readers never see
        a half-written index, and two processes saving at once (an ingest and a bot refreshing)
        never write into the same files. Raises OSError when another one won the race."""
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            if self.chunk_ids:
                self.bm25.save(str(tmp), show_progress=False)
            np.save(tmp / "pub.npy", self.pub)
            np.save(tmp / "until.npy", self.until)
            (tmp / "ids.json").write_text(json.dumps(self.chunk_ids))
            (tmp / _STAMP).write_text(json.dumps({"revision": self.revision}))
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)  # readers never see a half-written index
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        import bm25s

        try:
            stamp = json.loads((folder / _STAMP).read_text())
            ids = json.loads((folder / "ids.json").read_text())
            pub = np.load(folder / "pub.npy")
            bm25 = bm25s.BM25.load(str(folder)) if ids else bm25s.BM25()
        except Exception:  # noqa: BLE001 - missing, half-replaced or corrupt: build it again
            return None
        try:
            until = np.load(folder / "until.npy")
        except OSError:  # saved before versions existed: a store at that revision holds none
            until = np.zeros(len(pub), dtype=np.int64)
        return cls(bm25, ids, pub, str(stamp.get("revision", "")), until)

    def search(
        self, query: str, k: int, as_of: date | None = None, since: date | None = None
    ) -> list[tuple[str, float]]:
        """Top chunk ids by BM25, never from articles published after `as_of` (nor before `since`),
        and only from the version of each article that was current on `as_of` (today's without one)."""
        if not self.chunk_ids or k <= 0:
            return []
        tokens = _tokenize([query])
        if not tokens.vocab:
            return []
        mask = None
        if as_of is not None or since is not None or self.until.any():
            keep = self.until == 0 if as_of is None else (self.until == 0) | (self.until > date_int(as_of))
            if as_of is not None:
                keep &= self.pub <= date_int(as_of)
            if since is not None:
                keep &= self.pub >= date_int(since)
            if not keep.any():
                return []
            mask = keep.astype(np.float32)
        k = min(k, len(self.chunk_ids))
        docs, scores = self.bm25.retrieve(tokens, k=k, show_progress=False, weight_mask=mask)
        return [
            (self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if float(s) > 0
        ]

    def article_scores(self, query: str) -> dict[str, float]:
        """The current articles that hold a term of `query`, each scored by its best chunk's BM25
        (a long article gains nothing from having many chunks)."""
        scores: dict[str, float] = {}
        for cid, score in self.search(query, len(self.chunk_ids)):
            article_id = article_of(cid)
            scores[article_id] = max(score, scores.get(article_id, 0.0))
        return scores


def lexical_folder(home: Path, store: Archive) -> Path:
    return home / "lexical" / store.spec.prefix


def open_lexical(home: Path, store: Archive) -> LexicalIndex:
    """The persisted index when it matches the store's revision, else a fresh one (then saved)."""
    folder = lexical_folder(home, store)
    index = LexicalIndex.load(folder)
    if index is not None and index.revision == store.revision():
        return index
    log.info("building the lexical index in %s", folder)
    index = LexicalIndex.build(store)
    try:
        index.save(folder)
    except OSError as exc:  # a read-only data dir still answers, just slower next time
        log.warning("cannot save the lexical index: %s", exc)
    return index
