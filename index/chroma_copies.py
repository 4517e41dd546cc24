"""Wire-copy fingerprints in Chroma: the LSH index of ingest/copies.py, kept beside the articles.

One record per stored article in `<prefix>_copies`: the MinHash signature (base64) as its
document, and as metadata its story, its number of shingles and one key per LSH band (`b0`,
`b1`, ...). Finding look-alikes is one metadata query, a band key `$in` the new articles' keys,
per band, for up to 256 new articles (timed in benchmarks/wire_copies.py).

Why here and not in a file beside the store, like the lexical index: the fingerprints are
written with the article record, so they are never stale, however a run ends and whichever
process (or Chroma server) wrote; and they are not in the articles' own metadata, where 32
band keys and the signature per article made listing 20,000 articles 3.5x slower (2.2 s ->
7.9 s, a one-off measurement on the project's 2-core machine).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from index.archive import ArticleSummary, date_int
from index.models import Fingerprint
from index.records import day_of, summary_from_record

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import Metadata

_PAGE = 5000
_LOOKUP = 256  # new articles' keys per query


class ChromaCopies:
    """The fingerprints of one index's current articles."""

    def __init__(self, collection: Collection) -> None:
        self._copies = collection

    @classmethod
    def open(cls, client: ClientAPI, prefix: str, scheme: str) -> ChromaCopies:
        """The collection for fingerprints made with `scheme`; one made another way is emptied
        (ingest fingerprints the stored articles again: see `ingest.copies.CopyFinder`)."""
        name = f"{prefix}_copies"
        collection = client.get_or_create_collection(name, metadata={"scheme": scheme}, embedding_function=None)
        if (collection.metadata or {}).get("scheme") != scheme:
            client.delete_collection(name)
            collection = client.create_collection(name, metadata={"scheme": scheme}, embedding_function=None)
        return cls(collection)

    def put(self, fingerprints: Sequence[Fingerprint], batch: int) -> None:
        for i in range(0, len(fingerprints), batch):
            part = fingerprints[i : i + batch]
            self._copies.upsert(
                ids=[f.article_id for f in part],
                documents=[base64.b64encode(f.signature).decode("ascii") for f in part],
                metadatas=[_metadata(f) for f in part],
                embeddings=np.ones((len(part), 1), dtype=np.float32),  # a document store: no vectors
            )

    def sharing(self, bands: Sequence[Sequence[int]]) -> list[Fingerprint]:
        found: dict[str, Fingerprint] = {}
        width = max((len(b) for b in bands), default=0)
        for i in range(0, len(bands), _LOOKUP):
            part = bands[i : i + _LOOKUP]
            clauses: list[dict[str, Any]] = [
                {f"b{n}": {"$in": sorted({keys[n] for keys in part if n < len(keys)})}} for n in range(width)
            ]
            if not clauses:
                continue
            where: dict[str, Any] = clauses[0] if len(clauses) == 1 else {"$or": clauses}
            got = self._copies.get(where=where, include=["documents", "metadatas"])
            for article_id, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or []):
                found[article_id] = _fingerprint(article_id, doc or "", meta)
        return list(found.values())

    def record(self, fingerprints: Sequence[Fingerprint], chunks: Collection, articles: Collection,
               batch: int) -> None:
        """Fingerprints of stored articles; a copy's story goes on its article and chunk records."""
        self.put(fingerprints, batch)
        for fingerprint in fingerprints:
            if fingerprint.story == fingerprint.article_id:
                continue
            story: Metadata = {"story": fingerprint.story}
            chunk_ids = chunks.get(where={"article_id": fingerprint.article_id}, include=[])["ids"]
            if chunk_ids:
                chunks.update(ids=chunk_ids, metadatas=[story] * len(chunk_ids))
            articles.update(ids=[fingerprint.article_id], metadatas=[story])

    def missing(self, articles: Collection) -> list[str]:
        """Ids of stored articles without a fingerprint (two counts when there are none)."""
        if self._copies.count() >= articles.count():
            return []
        known = {i for offset in range(0, self._copies.count(), _PAGE)
                 for i in self._copies.get(include=[], limit=_PAGE, offset=offset)["ids"]}
        return [i for offset in range(0, articles.count(), _PAGE)
                for i in articles.get(include=[], limit=_PAGE, offset=offset)["ids"] if i not in known]

    @staticmethod
    def members(articles: Collection, stories: Sequence[str]) -> dict[str, list[ArticleSummary]]:
        """The current articles of each story: those marked with it, and the one it is named after
        (an article stored before copies were detected carries no mark of its own story)."""
        members: dict[str, dict[str, ArticleSummary]] = {}
        wanted = list(dict.fromkeys(s for s in stories if s))
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            marked: Any = {"story": {"$in": part}}
            for found in (articles.get(where=marked, include=["metadatas"]),
                          articles.get(ids=part, include=["metadatas"])):
                for article_id, meta in zip(found["ids"], found["metadatas"] or []):
                    summary = summary_from_record(article_id, meta)
                    story = summary.story or article_id
                    if story in part:
                        members.setdefault(story, {})[article_id] = summary
        return {story: list(found.values()) for story, found in members.items()}

    def delete(self, article_ids: Sequence[str]) -> None:
        if article_ids:
            self._copies.delete(ids=list(article_ids))


def _metadata(fingerprint: Fingerprint) -> Metadata:
    meta: dict[str, str | int] = {"story": fingerprint.story, "shingles": fingerprint.shingles,
                                  "day": date_int(fingerprint.day)}
    meta.update({f"b{n}": key for n, key in enumerate(fingerprint.bands)})
    return meta


def _fingerprint(article_id: str, document: str, meta: Any) -> Fingerprint:
    bands: list[int] = []
    while f"b{len(bands)}" in meta:
        bands.append(int(meta[f"b{len(bands)}"]))
    return Fingerprint(article_id, str(meta.get("story") or article_id), base64.b64decode(document),
                       int(meta.get("shingles") or 0), tuple(bands), day_of(meta.get("day")))
