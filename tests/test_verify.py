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
