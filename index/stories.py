"""A reranker stage for wire copies: the passages read are not filled with one story's copies.

Of each story (ingest/copies.py), the passages of its best-ranked article keep their place;
those of its other articles (the copies) move behind every other passage, in their order. So an
answer reads one outlet's version of an agency story next to other reporting, and the copies
are still there when nothing else is. An article that copies nothing is a story of its own,
and its passages are never moved: on an archive without copies, retrieval is unchanged.
"""

from __future__ import annotations

from index.models import Passage
from index.retrieval import SearchQuery
from index.versions import base_id

ARTICLES_PER_STORY = 1


class OneArticlePerStory:
    """`index.retrieval.Reranker`: at most `per_story` articles of a story among the first passages."""

    def __init__(self, per_story: int = ARTICLES_PER_STORY) -> None:
        self.per_story = max(1, per_story)

    def rerank(self, query: SearchQuery, passages: list[Passage]) -> list[Passage]:
        chosen: dict[str, list[str]] = {}
        first: list[Passage] = []
        later: list[Passage] = []
        for passage in passages:
            articles = chosen.setdefault(story_of(passage), [])
            if passage.article_id in articles or len(articles) < self.per_story:
                if passage.article_id not in articles:
                    articles.append(passage.article_id)
                first.append(passage)
            else:
                later.append(passage)
        return first + later


def story_of(passage: Passage) -> str:
    """Its story; an article stored before copies were detected is a story of its own."""
    return passage.story or base_id(passage.article_id)
