"""Ask every descriptive question as of its date, check every quote, score what is shown."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.answer import Answer, Answerer, Citation
from bot.verify import is_verbatim, verified
from evals.dataset import DescriptiveQuestion
from evals.descriptive_metrics import DescriptiveScore, score_answer
from evals.runner import MakeQuery, QuestionProgress
from index.archive import ArticleLookup
from index.errors import NewsdeskError


@dataclass(frozen=True)
class DescriptiveResult:
    question: DescriptiveQuestion
    answer: Answer  # as shown to a user: after `verified()`
    raw_citations: tuple[Citation, ...]  # of the raw answer: its points' and its citations, once each
    citation_valid: tuple[bool, ...]
    score: DescriptiveScore
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        q, s, a = self.question, self.score, self.answer
        return {
            "id": q.id,
            "question": q.question,
            "shape": q.shape,
            "answer_shape": a.shape,
            "as_of": q.as_of.isoformat(),
            "asked_as_of": a.as_of.isoformat() if a.as_of else None,
            "answer": a.answer,
            "abstained": a.abstained,
            "answer_mode": a.mode,
            "key_fact_recall": round(s.recall, 4),
            "key_facts": [{"fact": f.fact.fact, "covered": f.covered, "matched": f.matched,
                           "date": f.fact.date.isoformat() if f.fact.date else None} for f in s.facts],
            "timeline_pairs": {"in_order": s.pairs_in_order, "pairs": s.pairs},
            "items": [{"kind": i.kind, "article_id": i.article_id, "in_story": i.article_id in q.story}
                      for i in s.items],
            "shown": s.shown,
            "points": [p.to_json() for p in a.points],
            "citations": [dict(c.to_json(), valid=v) for c, v in zip(self.raw_citations, self.citation_valid)],
            "retrieved": a.retrieved,
            "latency_ms": round(s.latency_ms, 1),
            "dropped_by_answerer": a.dropped_citations,
            "notes": a.notes,
            "error": self.error,
            **({"llm": a.llm.to_json()} if a.llm else {}),
        }


def run_descriptive(questions: Sequence[DescriptiveQuestion], answerer: Answerer, articles: ArticleLookup,
                    make_query: MakeQuery, progress: QuestionProgress | None = None) -> list[DescriptiveResult]:
    """Each question as of its own date, asked of the raw `answerer`: quotes are checked here."""
    results: list[DescriptiveResult] = []
    if progress:
        progress.start(len(questions), "Asking")
    for question in questions:
        results.append(ask_descriptive(question, answerer, articles, make_query))
        if progress:
            progress.advance(1)
    return results


def ask_descriptive(question: DescriptiveQuestion, answerer: Answerer, articles: ArticleLookup,
                    make_query: MakeQuery) -> DescriptiveResult:
    error = None
    started = time.perf_counter()
    try:
        raw = answerer.ask(make_query(question.question, question.as_of, ()))
    except NewsdeskError as exc:  # e.g. a question over the length limit: scored as showing nothing
        raw, error = Answer(question.question, None, [], as_of=question.as_of), str(exc)
    latency_ms = (time.perf_counter() - started) * 1000
    cited = quoted(raw)
    stored = articles.get_articles([c.article_id for c in cited]) if cited else {}
    valid = tuple(is_verbatim(c, stored.get(c.article_id)) for c in cited)
    shown = verified(raw, articles)
    return DescriptiveResult(question, shown, cited, valid,
                             score_answer(question, shown, valid, latency_ms), error)


def quoted(answer: Answer) -> tuple[Citation, ...]:
    """Every quote an answer carries, once: its points' citations, then its other citations."""
    seen: dict[tuple[str, int, int, str], Citation] = {}
    for citation in [p.citation for p in answer.points] + list(answer.citations):
        seen.setdefault((citation.article_id, citation.start, citation.end, citation.quote), citation)
    return tuple(seen.values())
