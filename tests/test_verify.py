"""Nothing is shown unless it is verbatim from the stored article."""

from __future__ import annotations

from dataclasses import replace

from bot.answer import Answer, Citation
from bot.runtime import Runtime
from bot.verify import is_verbatim, verified
from tests.conftest import ask


def almaty_answer(runtime: Runtime) -> Answer:
    answer = ask(runtime, "When did protests reach Almaty?")
    assert answer.citations
    return answer


def test_real_answers_are_verbatim(seeded_runtime: Runtime) -> None:
    answer = almaty_answer(seeded_runtime)
    stored = seeded_runtime.store.get_articles([c.article_id for c in answer.citations])
    for citation in answer.citations:
        assert is_verbatim(citation, stored[citation.article_id])
    assert verified(answer, seeded_runtime.store) == answer


def test_tampered_quote_is_dropped_and_lone_answer_abstains(seeded_runtime: Runtime) -> None:
    answer = almaty_answer(seeded_runtime)
    good = answer.citations[0]
    shifted = replace(good, start=good.start + 1, end=good.end + 1)
    invented = replace(good, quote=good.quote.replace("Almaty", "Astana"))
    missing = replace(good, article_id="no-such-article")
    for bad in (shifted, invented, missing):
        checked = verified(replace(answer, citations=[bad]), seeded_runtime.store)
        assert checked.abstained and checked.citations == []
        assert any("dropped 1" in note for note in checked.notes)
    mixed = verified(replace(answer, citations=[good, invented]), seeded_runtime.store)
    assert mixed.citations == [good] and not mixed.abstained


def test_out_of_range_offsets_never_verify(seeded_runtime: Runtime) -> None:
    good = almaty_answer(seeded_runtime).citations[0]
    article = seeded_runtime.store.get_article(good.article_id)
    assert article is not None
    beyond = Citation(**{**good.__dict__, "start": len(article.text) - 2, "end": len(article.text) + 5})
    assert not is_verbatim(beyond, article)


def composed_answer(runtime: Runtime) -> Answer:
    from datetime import date

    from language.shapes import Shape

    answer = runtime.answerer.ask(runtime.query("What happened in Kazakhstan in January 2022?", date(2022, 1, 7),
                                                shape=Shape.OVERVIEW))
    assert len(answer.points) >= 3 and answer.answer == answer.points[0].citation.quote
    return answer


def test_every_point_is_verified_and_an_unverifiable_one_dropped(seeded_runtime: Runtime) -> None:
    answer = composed_answer(seeded_runtime)
    assert verified(answer, seeded_runtime.store) == answer
    lead, second, *rest = answer.points
    shifted = replace(second, citation=replace(second.citation, start=second.citation.start + 1,
                                               end=second.citation.end + 1))
    # a point whose quote does not match, even where the answer's citations were left alone
    checked = verified(replace(answer, points=[lead, shifted, *rest]), seeded_runtime.store)
    assert checked.points == [lead, *rest]
    assert shifted.citation not in checked.citations and checked.dropped_citations >= 1
    assert any("dropped" in note for note in checked.notes)


def test_a_dropped_lead_point_takes_the_lead_text_with_it(seeded_runtime: Runtime) -> None:
    answer = composed_answer(seeded_runtime)
    lead, *rest = answer.points
    invented = replace(lead, citation=replace(lead.citation, quote=lead.citation.quote.replace("Almaty", "Astana")))
    tampered = replace(answer, answer=invented.citation.quote, points=[invented, *rest],
                       citations=[invented.citation, *answer.citations[1:]])
    checked = verified(tampered, seeded_runtime.store)
    assert checked.points == rest and checked.answer == rest[0].citation.quote
    assert "Astana" not in (checked.answer or "")
    nothing = verified(replace(tampered, points=[invented], citations=[invented.citation]), seeded_runtime.store)
    assert nothing.abstained and nothing.points == [] and nothing.citations == []
