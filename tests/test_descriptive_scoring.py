"""Scoring descriptive answers by what a reader sees, and reading descriptive sets: hand-computed
cases, a recording answerer and articles in memory (no model, no store)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.answer import Answer, Citation, Point
from bot.query import Query, build_query
from evals.dataset import DescriptiveQuestion, KeyFact
from evals.descriptive_metrics import (
    SHOWN_CHARS,
    aggregate_descriptive,
    displayed,
    find_words,
    normalise,
    ordered_pairs,
    score_answer,
)
from evals.descriptive_runner import run_descriptive
from evals.kit import load_kit
from index.errors import UserInputError
from index.models import Article

DAM = Article(id="dam", title="Dam", text=(
    "On 3 May the Orlen Bay dam cracked. On 5 May engineers drained the ‘upper’ reservoir. "
    "On 9 May the valley’s farms reopened."))
FERRY = Article(id="ferry", title="Ferry", text="The Marn ferry resumed its crossings.")


def cite(article: Article, phrase: str) -> Citation:
    start = article.text.index(phrase)
    return Citation(article.id, article.title, None, None, None, None, phrase, start, start + len(phrase))


def fact(accept: str, day: int | None = None, *articles: str) -> KeyFact:
    return KeyFact(fact=accept, accept=(accept,), article_ids=articles or ("dam",),
                   date=date(2022, 5, day) if day else None)


def question(shape: str, *facts: KeyFact, story: tuple[str, ...] = ()) -> DescriptiveQuestion:
    return DescriptiveQuestion(id=shape, question=f"{shape} of the dam?", as_of=date(2022, 5, 10), shape=shape,
                               key_facts=facts, story_article_ids=story)


def composed(*citations: Citation, lead: str = "The dam cracked.", shape: str = "timeline") -> Answer:
    return Answer("q", lead, list(citations), as_of=date(2022, 5, 10), shape=shape,
                  points=[Point(c, None) for c in citations])


# -- what is shown ------------------------------------------------------------------------------


def test_normalising_ignores_case_whitespace_quote_marks_and_dashes() -> None:
    assert normalise("  The ‘Upper’\u00a0Reservoir —  drained ") == "the 'upper' reservoir - drained"
    assert normalise("valley’s") == normalise("valley's") == normalise("VALLEY`S")
    assert normalise("fuel – gas") == normalise("fuel - gas") == normalise("fuel—gas".replace("—", " — "))


def test_an_accept_string_counts_only_as_whole_words() -> None:
    assert find_words("dam", "the orlen bay dam cracked") == 14
    assert find_words("dam", "amsterdam damage") is None
    assert find_words("bay dam", "orlen bay dam") == 6
    assert find_words("'upper'", "the 'upper' reservoir") == 4


def test_the_answer_text_then_points_then_other_citations_are_shown_once_each() -> None:
    first, second, extra = cite(DAM, "On 3 May the Orlen Bay dam cracked."), cite(DAM, "On 9 May"), cite(FERRY, "Marn")
    answer = Answer("q", "On 9 May", [second, first, extra], shape="timeline",
                    points=[Point(first), Point(second)])
    text, items = displayed(answer)
    assert text == "On 9 May\nOn 3 May the Orlen Bay dam cracked.\nMarn"
    assert [(i.kind, i.article_id, i.start) for i in items] == [
        ("point", "dam", 9), ("point", "dam", 0), ("citation", "ferry", 45)]
    assert displayed(Answer("q", None, [])) == ("", [])  # an abstention shows nothing


def test_key_facts_are_found_in_the_first_shown_characters_only() -> None:
    late = cite(DAM, "On 9 May the valley’s farms reopened.")
    q = question("overview", fact("valley's farms reopened"))
    assert score_answer(q, composed(late), [True], 1.0).recall == 1.0
    padded = composed(late, lead="x" * SHOWN_CHARS)
    s = score_answer(q, padded, [True], 1.0)
    assert (s.recall, len(s.shown), s.items) == (0.0, SHOWN_CHARS, ())  # cut before the point


def test_timeline_order_counts_pairs_of_covered_dated_facts_by_first_appearance() -> None:
    cracked, drained, reopened = (cite(DAM, p) for p in ("dam cracked", "drained the ‘upper’ reservoir",
                                                         "farms reopened"))
    q = question("timeline", fact("dam cracked", 3), fact("drained the 'upper' reservoir", 5),
                 fact("farms reopened", 9), fact("never shown", 7))
    right = score_answer(q, composed(cracked, drained, reopened, lead="Timeline"), [True] * 3, 1.0)
    assert (right.covered, right.pairs_in_order, right.pairs) == (3, 3, 3)
    swapped = score_answer(q, composed(cracked, reopened, drained, lead="Timeline"), [True] * 3, 1.0)
    assert (swapped.pairs_in_order, swapped.pairs) == (2, 3)
    # Only timelines are judged on order: a "latest" answer lists the newest first.
    assert score_answer(question("latest", *q.key_facts), composed(reopened, cracked), [True] * 2, 1.0).pairs == 0


def test_pairs_of_facts_on_the_same_day_are_not_judged() -> None:
    q = question("timeline", fact("dam cracked", 3), fact("Orlen Bay", 3))
    assert ordered_pairs(score_answer(q, composed(cite(DAM, "Orlen Bay dam cracked")), [True], 1.0).facts) == (0, 0)


def test_item_precision_reads_the_listed_story_else_the_key_facts_articles() -> None:
    answer = composed(cite(DAM, "dam cracked"), cite(FERRY, "Marn ferry"), shape="overview")
    by_facts = score_answer(question("overview", fact("dam cracked")), answer, [True, True], 1.0)
    assert (by_facts.items_in_story, len(by_facts.items)) == (1, 2)
    listed = score_answer(question("overview", fact("dam cracked"), story=("dam", "ferry")), answer, [True] * 2, 1.0)
    assert listed.items_in_story == 2
    assert (by_facts.shape_match, score_answer(question("list", fact("x")), answer, [], 1).shape_match) == (True, False)


def test_an_answer_with_a_quote_that_is_not_the_stored_text_covers_nothing() -> None:
    q = question("overview", fact("dam cracked"))
    assert score_answer(q, composed(cite(DAM, "dam cracked")), [True, False], 1.0).covered == 0


def test_figures_are_pooled_over_facts_pairs_items_and_citations() -> None:
    q = question("timeline", fact("dam cracked", 3), fact("farms reopened", 9))
    one = score_answer(q, composed(cite(DAM, "farms reopened"), cite(DAM, "dam cracked"), lead="Dam"), [True] * 2, 10.0)
    two = score_answer(question("list", fact("Marn"), fact("a", None), fact("b", None)),
                       Answer("q", "Marn", [cite(FERRY, "Marn")]), [True], 30.0)
    m = aggregate_descriptive([one, two])
    assert m["key_fact_recall"] == pytest.approx(3 / 5)
    assert m["timeline_order"] == 0.0 and m["item_precision"] == pytest.approx(2 / 3)
    assert (m["citation_validity"], m["latency_p50_ms"], m["shape_match"]) == (1.0, 20.0, 0.5)


# -- the runner, with a recording answerer --------------------------------------------------------


class Articles:
    def __init__(self, *articles: Article) -> None:
        self.by_id = {a.id: a for a in articles}

    def get_articles(self, ids: Sequence[str]) -> dict[str, Article]:
        return {i: self.by_id[i] for i in ids if i in self.by_id}


class RecordingAnswerer:
    def __init__(self, answer: Answer) -> None:
        self.answer, self.calls = answer, list[tuple[str, date]]()

    def ask(self, query: Query) -> Answer:
        self.calls.append((query.text, query.as_of))
        return self.answer


def make_query(text: str, as_of: date, choices: Sequence[str]) -> Query:
    return build_query(text, as_of, 1000, choices)


def test_each_question_is_asked_as_of_its_date_and_every_quote_is_checked() -> None:
    forged = Citation("dam", "Dam", None, None, None, None, "dam burst", 17, 26)
    answerer = RecordingAnswerer(composed(cite(DAM, "dam cracked"), forged))
    q = question("timeline", fact("dam cracked", 3))
    [result] = run_descriptive([q], answerer, Articles(DAM), make_query)
    assert answerer.calls == [(q.question, date(2022, 5, 10))]
    assert result.citation_valid == (True, False) and result.score.covered == 0
    record = result.to_json()
    assert [c["valid"] for c in record["citations"]] == [True, False]
    assert record["key_facts"][0] == {"fact": "dam cracked", "covered": False, "matched": None, "date": "2022-05-03"}


# -- reading a descriptive set --------------------------------------------------------------------

GOOD: dict[str, Any] = {"id": "q1", "question": "What happened to the dam?", "as_of": "2022-05-10", "shape": "overview",
        "key_facts": [{"fact": "It cracked", "accept": ["dam cracked"], "article_ids": ["dam"], "date": None}]}


def write_set(root: Path, *records: object) -> Path:
    (root / "corpus.jsonl").write_text(json.dumps({"id": "dam", "text": DAM.text}) + "\n", encoding="utf-8")
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    (root / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_a_directory_whose_questions_have_key_facts_is_a_descriptive_set(tmp_path: Path) -> None:
    data = load_kit(write_set(tmp_path, GOOD, dict(GOOD, id="q2", story_article_ids=["dam", "ferry"])))
    assert (data.kind, data.size, data.questions) == ("descriptive", 2, [])
    first, second = data.descriptive
    assert first.key_facts == (KeyFact("It cracked", ("dam cracked",), ("dam",), None),)
    assert (first.story, second.story) == (frozenset({"dam"}), frozenset({"dam", "ferry"}))


def fact_with(**changes: object) -> dict[str, object]:
    return dict(GOOD, key_facts=[dict(GOOD["key_facts"][0], **changes)])


@pytest.mark.parametrize(("record", "reason"), [
    ("{not json", "invalid JSON"),
    ({k: v for k, v in GOOD.items() if k != "as_of"}, "'as_of' is required"),
    (dict(GOOD, shape="essay"), "'shape' must be one of"),
    (dict(GOOD, key_facts=[]), "'key_facts' must be a non-empty list"),
    (fact_with(accept=[]), "key fact 1: 'accept' must be a non-empty list"),
    (fact_with(date="May 3"), "key fact 1: 'date' 'May 3' is not a date"),
    (fact_with(fact=""), "key fact 1: 'fact' must be a non-empty string"),
    (dict(GOOD, question=" "), "'question' must be a non-empty string"),
    (GOOD, "duplicate id 'q1'"),
])
def test_a_bad_record_names_its_file_and_line(tmp_path: Path, record: object, reason: str) -> None:
    write_set(tmp_path, GOOD, record)
    with pytest.raises(UserInputError, match=f"questions.jsonl, line 2: {reason}"):
        load_kit(tmp_path)
