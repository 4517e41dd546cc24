"""An archive store in memory, for unit tests: the `Archive` protocol with exact (brute-force)
nearest neighbours and the same as-of semantics as the Chroma store. Records what was asked of
it, so tests can assert on the queries retrieval sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from index.archive import (
    ArticleFilter,
    ArticleState,
    ArticleSummary,
    IndexSpec,
    newest_first,
)
from index.encoders.embedder import Vectors
from index.models import Article, Chunk, Fingerprint, Passage
from index.records import chunk_id
from index.versions import as_superseded, oldest_first, split_version_id, valid_on, version_id


@dataclass(frozen=True)
class _Stored:
    passage: Passage
    vector: Vectors
    article_title: str


class MemoryStore:
    def __init__(self, spec: IndexSpec | None = None) -> None:
        self.spec = spec or IndexSpec("memory", 160, 0, "cl100k_base")
        self._chunks: dict[str, _Stored] = {}
        self._articles: dict[str, tuple[Article, int]] = {}
        self._annotated: dict[str, str] = {}
        self._earlier_chunks: dict[str, _Stored] = {}  # of earlier versions, by `ID@vN:00000`
        self._earlier: dict[str, Article] = {}  # earlier versions, by `ID@vN`
        self._fingerprints: dict[str, Fingerprint] = {}
        self._revision = ""
        self.queries: list[tuple[date | None, date | None]] = []  # (as_of, since) of each query

    # -- reading
    def revision(self) -> str:
        return self._revision

    def counts(self) -> tuple[int, int]:
        return len(self._articles), len(self._chunks)

    def all_chunks(self) -> Iterator[Passage]:
        for chunks in (self._chunks, self._earlier_chunks):
            for cid in sorted(chunks):
                yield replace(chunks[cid].passage, score=0.0)

    def query(self, vector: Sequence[float], k: int, as_of: date | None = None,
              since: date | None = None) -> list[Passage]:
        self.queries.append((as_of, since))
        if k <= 0:
            return []
        wanted = np.asarray(vector, dtype=np.float32)
        earlier = [s for s in self._earlier_chunks.values()
                   if as_of is not None and valid_on(self._earlier[s.passage.article_id], as_of)]
        allowed = [
            s for s in [*self._chunks.values(), *earlier]
            if (as_of is None or s.passage.available is None or s.passage.available <= as_of)
            and (since is None or (s.passage.available is not None and s.passage.available >= since))
        ]
        scored = sorted(((float(s.vector @ wanted), s.passage) for s in allowed),
                        key=lambda pair: pair[0], reverse=True)
        return [replace(p, score=score) for score, p in scored[:k]]

    def get_chunks(self, ids: Sequence[str], query: Sequence[float] | None = None) -> list[Passage]:
        wanted = None if query is None else np.asarray(query, dtype=np.float32)
        found = [self._chunks.get(i) or self._earlier_chunks.get(i) for i in ids]
        return [
            replace(s.passage, score=0.0 if wanted is None else float(s.vector @ wanted))
            for s in found if s is not None
        ]

    def get_articles(self, ids: Sequence[str]) -> dict[str, Article]:
        found = {i: self._articles[i][0] for i in dict.fromkeys(ids) if i in self._articles}
        return {**found, **{i: self._earlier[i] for i in ids if i not in found and i in self._earlier}}

    def get_article(self, article_id: str) -> Article | None:
        return self.get_articles([article_id]).get(article_id)

    def article_states(self, ids: Sequence[str] | None = None) -> dict[str, ArticleState]:
        chosen = [a for a, _ in self._articles.values()] if ids is None else [
            a for a in (self._articles[i][0] if i in self._articles else self._earlier.get(i) for i in ids) if a]
        return {a.id: ArticleState(a.id, a.content_hash(), a.path, a.title, a.url,
                                   self._annotated.get(a.id, ""), a.source)
                for a in chosen}

    def article_summaries(self, where: ArticleFilter | None = None) -> list[ArticleSummary]:
        summaries = [
            ArticleSummary(a.id, a.title, a.published, a.url, a.source, a.path, n, a.available, a.story)
            for a, n in self._articles.values()
        ]
        return sorted((s for s in summaries if where is None or where.matches(s)), key=newest_first)

    def articles_from_path(self, path: str) -> list[ArticleSummary]:
        return [s for s in self.article_summaries() if path and s.path == path]

    def stored_chunks(self, article_ids: Sequence[str]) -> list[tuple[str, str, Vectors]]:
        wanted = set(article_ids)
        return [(s.article_title, s.passage.text, s.vector)
                for s in [*self._chunks.values(), *self._earlier_chunks.values()] if s.passage.article_id in wanted]

    def stored_articles(self) -> Iterator[Article]:
        yield from [a for a, _ in self._articles.values()]
        yield from list(self._earlier.values())

    def article_versions(self, article_id: str) -> list[Article]:
        return oldest_first(a for key, a in self._earlier.items() if (split_version_id(key) or ("",))[0] == article_id)

    def fingerprints_sharing(self, bands: Sequence[Sequence[int]]) -> list[Fingerprint]:
        keys = {(n, key) for keys in bands for n, key in enumerate(keys)}
        return [f for f in self._fingerprints.values() if any((n, key) in keys for n, key in enumerate(f.bands))]

    def unfingerprinted(self) -> list[str]:
        return [i for i in self._articles if i not in self._fingerprints]

    def story_members(self, stories: Sequence[str]) -> dict[str, list[ArticleSummary]]:
        wanted = set(stories)
        members: dict[str, list[ArticleSummary]] = {}
        for summary in self.article_summaries():
            story = summary.story or summary.id
            if story in wanted:
                members.setdefault(story, []).append(summary)
        return members

    # -- writing
    def write(self, items: Sequence[tuple[Article, Sequence[Chunk], Vectors]], fresh: Iterable[str] = (),
              annotated: str = "") -> int:
        if not items:
            return 0
        self.write_chunks(items)
        new = set(fresh)
        return self.finish_articles([(a, len(c), a.id not in new) for a, c, _ in items], annotated)

    def write_chunks(self, items: Sequence[tuple[Article, Sequence[Chunk], Vectors]]) -> None:
        for article, chunks, vectors in items:
            into = self._chunks if article.superseded is None else self._earlier_chunks  # an earlier version
            for chunk, vector in zip(chunks, vectors):
                passage = Passage(
                    chunk_id=chunk_id(article.id, chunk.index), article_id=article.id, text=chunk.text,
                    start=chunk.start, end=chunk.end, score=0.0, title=article.title,
                    published=article.published, url=article.url, source=article.source, path=article.path,
                    sentences=chunk.sentences, available=article.available,
                    entities=chunk.entities, phrases=chunk.phrases, version=article.version,
                    superseded=article.superseded, story=article.story,
                )
                into[passage.chunk_id] = _Stored(passage, np.asarray(vector, dtype=np.float32), article.title)
        self._bump()

    def finish_articles(self, done: Sequence[tuple[Article, int, bool]], annotated: str = "") -> int:
        removed = 0
        for article, n, may_have_more in done:
            chunks = self._chunks if article.superseded is None else self._earlier_chunks
            if may_have_more:
                stale = [cid for cid, s in chunks.items()
                         if s.passage.article_id == article.id and int(cid.rsplit(":", 1)[1]) >= n]
                for cid in stale:
                    del chunks[cid]
                removed += len(stale)
            self._annotated[article.id] = annotated
            if article.superseded is not None:  # an earlier version, written as it is (a rebuild)
                self._earlier[article.id] = article
                continue
            self._articles[article.id] = (article, n)
            if article.fingerprint is not None:
                self._fingerprints[article.id] = article.fingerprint
        self._bump()
        return removed

    def keep_versions(self, superseded: Sequence[tuple[str, date]]) -> dict[str, int]:
        kept: dict[str, int] = {}
        for article_id, day in superseded:
            if article_id not in self._articles:
                continue
            stored = self._articles[article_id][0]
            kept[article_id] = stored.version
            key = version_id(article_id, stored.version)
            if key in self._earlier:
                continue
            version = as_superseded(stored, day)
            for cid, s in list(self._chunks.items()):
                if s.passage.article_id == article_id:
                    index = int(cid.rsplit(":", 1)[1])
                    passage = replace(s.passage, chunk_id=chunk_id(key, index), article_id=key, superseded=day)
                    self._earlier_chunks[passage.chunk_id] = replace(s, passage=passage)
            self._earlier[key] = version
        self._bump()
        return kept

    def record_fingerprints(self, fingerprints: Sequence[Fingerprint]) -> None:
        for fingerprint in fingerprints:
            self._fingerprints[fingerprint.article_id] = fingerprint
            article_id, story = fingerprint.article_id, fingerprint.story
            if article_id in self._articles:
                article, n = self._articles[article_id]
                self._articles[article_id] = (replace(article, story=story), n)
            for cid, s in list(self._chunks.items()):
                if s.passage.article_id == article_id:
                    self._chunks[cid] = replace(s, passage=replace(s.passage, story=story))
        self._bump()

    def relocate(self, article_id: str, path: str | None) -> None:
        article, n = self._articles[article_id]
        self._articles[article_id] = (replace(article, path=path), n)
        for cid, s in list(self._chunks.items()):
            if s.passage.article_id == article_id:
                self._chunks[cid] = replace(s, passage=replace(s.passage, path=path))
        self._bump()

    def delete_articles(self, article_ids: Sequence[str]) -> int:
        gone = set(article_ids)
        stale = [cid for cid, s in self._chunks.items() if s.passage.article_id in gone]
        for cid in stale:
            del self._chunks[cid]
        for article_id in gone:
            self._articles.pop(article_id, None)
            self._annotated.pop(article_id, None)
            self._fingerprints.pop(article_id, None)
        for key in [k for k in self._earlier if (split_version_id(k) or ("",))[0] in gone]:
            del self._earlier[key]
            for cid in [c for c, s in self._earlier_chunks.items() if s.passage.article_id == key]:
                del self._earlier_chunks[cid]
                stale.append(cid)
        self._bump()
        return len(stale)

    def _bump(self) -> None:
        self._revision = uuid.uuid4().hex
