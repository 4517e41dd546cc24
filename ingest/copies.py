"""Wire copies found at ingest: the same agency story run by many outlets, with small edits.

Every new or changed article gets a MinHash fingerprint (index/fingerprint.py). Its look-alikes
are the stored articles, and those read earlier in the same run, that share an LSH band with
it; the most similar one whose shingles overlap enough (`CONTAINMENT`) makes it a copy, and it
joins that article's story. An article that copies nothing starts a story of its own, named by
its id. Copies stay stored and citable like any article; retrieval reads one article per story
(index/stories.py) and an answer says which other outlets carried it (bot/copies.py).

A story's name never changes: deleting its first article leaves the others together, and a
later copy of any of them joins them. Stories are not merged: an article that copies two
stories joins the one it resembles most.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from index.archive import Archive
from index.fingerprint import (
    CONTAINMENT,
    MIN_SHINGLES,
    band_keys,
    close_in_time,
    containment,
    shingles,
    signature,
)
from index.models import Article, Fingerprint

log = logging.getLogger(__name__)

BACKFILL_BATCH = 200  # stored articles fingerprinted per store read
# This run's latest fingerprints kept in memory: those of articles planned but not yet stored.
# The pipeline's queues hold at most some 8,000 articles between planning and storing.
RUN_MEMORY = 20_000


def fingerprint(article: Article, story: str | None = None) -> Fingerprint:
    """The article's fingerprint (its text only: outlets change headlines). A text too short to
    tell a copy from a coincidence gets an empty one: recorded, so that it is not fingerprinted
    again, and never matched."""
    grams = shingles(article.text)
    if len(grams) < MIN_SHINGLES:
        return Fingerprint(article.id, story or article.id, b"", len(grams), (), article.available)
    values = signature(grams)
    return Fingerprint(article.id, story or article.id, values.astype("<u4").tobytes(), len(grams),
                       band_keys(values), article.available)


class CopyFinder:
    """Puts the articles of one ingest run in stories; remembers what the run has seen."""

    def __init__(self, store: Archive, threshold: float = CONTAINMENT) -> None:
        self.store = store
        self.threshold = threshold
        self._seen: dict[str, Fingerprint] = {}  # this run's, by article id
        self._by_band: dict[tuple[int, int], list[str]] = {}
        self.copies = 0  # articles found to be copies in this run
        self.backfilled = 0  # stored articles fingerprinted in this run (stored before copies were found)
        self._backfill_done = False

    def mark(self, articles: Sequence[Article]) -> list[Article]:
        """The articles with their story and fingerprint set, in the same order. The first call
        of a run first fingerprints stored articles that have none (`_backfill`). An article that
        comes with its story (one stored before: a rebuild) keeps it; an earlier version is left
        as it is (it has no fingerprint of its own)."""
        self._backfill()
        if not articles:
            return []
        prints = [fingerprint(a) for a in articles]
        stored = {f.article_id: f for f in self.store.fingerprints_sharing([f.bands for f in prints if f.bands])}
        marked: list[Article] = []
        for article, found in zip(articles, prints):
            if article.superseded is not None:
                marked.append(article)
                continue
            best = self._most_similar(found, stored) if found.bands and not article.story else None
            story = article.story or (best.story if best is not None else article.id)
            if best is not None:
                self.copies += 1
            found = replace(found, story=story)
            self._remember(found)
            marked.append(replace(article, story=story, fingerprint=found))
        return marked

    def _most_similar(self, new: Fingerprint, stored: dict[str, Fingerprint]) -> Fingerprint | None:
        candidates = {**stored, **{i: self._seen[i] for i in self._run_candidates(new)}}
        candidates.pop(new.article_id, None)  # an earlier version of itself
        scored = [
            (containment(new.signature, new.shingles, other.signature, other.shingles), other)
            for other in candidates.values() if _shares_band(new, other) and close_in_time(new.day, other.day)
        ]
        scored = [(score, other) for score, other in scored if score >= self.threshold]
        if not scored:
            return None
        return max(scored, key=lambda pair: (pair[0], pair[1].article_id))[1]

    def _run_candidates(self, new: Fingerprint) -> set[str]:
        return {i for n, key in enumerate(new.bands) for i in self._by_band.get((n, key), ())}

    def _remember(self, found: Fingerprint) -> None:
        self._forget(found.article_id)
        self._seen[found.article_id] = found
        for n, key in enumerate(found.bands):
            self._by_band.setdefault((n, key), []).append(found.article_id)
        while len(self._seen) > RUN_MEMORY:  # long stored by now: the store finds it
            self._forget(next(iter(self._seen)))

    def _forget(self, article_id: str) -> None:
        old = self._seen.pop(article_id, None)
        for n, key in enumerate(old.bands if old else ()):
            ids = self._by_band[(n, key)]
            ids.remove(article_id)
            if not ids:
                del self._by_band[(n, key)]

    def _backfill(self) -> None:
        """Fingerprint stored articles that have none (stored before copies were detected), once
        per run, oldest first so that the first of a story names it. Costs about 4 ms an article."""
        if self._backfill_done:
            return
        self._backfill_done = True
        missing = set(self.store.unfingerprinted())
        if not missing:
            return
        log.info("fingerprinting %d stored articles for wire-copy detection", len(missing))
        days = {s.id: s.published or s.available for s in self.store.article_summaries() if s.id in missing}
        ordered = sorted(missing, key=lambda i: (days.get(i) is None, days.get(i) or date.min, i))
        before = self.copies
        for start in range(0, len(ordered), BACKFILL_BATCH):
            batch = ordered[start : start + BACKFILL_BATCH]
            texts = self.store.get_articles(batch)
            marked = self.mark([texts[article_id] for article_id in batch if article_id in texts])
            self.store.record_fingerprints([a.fingerprint for a in marked if a.fingerprint is not None])
            self.backfilled += len(marked)
        self.copies = before  # copies among stored articles are not this run's


def _shares_band(a: Fingerprint, b: Fingerprint) -> bool:
    return any(x == y for x, y in zip(a.bands, b.bands))
