"""Chunks are exact spans of the stored text and never longer than the embedder sees."""

from __future__ import annotations

import pytest

from index.encoders.embedder import SentenceTransformerEmbedder
from index.models import Article
from ingest.chunking import Chunker, embedding_text
from ingest.formats import read_file
from language import sentences
from language.sentences import _punkt, sentence_spans
from tests.conftest import SEEDS


def seed_articles() -> list[Article]:
    return [a for path in sorted(SEEDS.glob("*")) for a in read_file(path, SEEDS, 20_000_000).articles]


def test_every_seed_chunk_matches_its_offsets(chunker: Chunker, embedder: SentenceTransformerEmbedder) -> None:
    for article in seed_articles():
        chunks = chunker.chunk(article)
        assert chunks
        for chunk in chunks:
            assert article.text[chunk.start : chunk.end] == chunk.text
            for start, end in chunk.sentences:
                assert chunk.start <= start < end <= chunk.end
            assert chunker.count(chunk.text) <= chunker.max_tokens
            assert embedder.count_tokens([embedding_text(article.title, chunk.text)])[0] <= embedder.max_tokens
        # Together the chunks cover every sentence of the article.
        covered = {s for c in chunks for s in c.sentences}
        assert set(sentence_spans(article.text)) <= covered


def test_long_sentences_and_giant_tokens_are_split(chunker: Chunker, embedder: SentenceTransformerEmbedder) -> None:
    text = ("word " * 900).strip() + " " + "x" * 3000 + " The end."
    article = Article(id="long", title="A headline " * 40, text=text)
    chunks = chunker.chunk(article)
    assert len(chunks) > 4
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert embedder.count_tokens([embedding_text(article.title, chunk.text)])[0] <= embedder.max_tokens
    assert chunks[-1].text.endswith("The end.")


def test_a_line_break_ends_a_sentence() -> None:
    text = "Headline without a full stop\nThe body starts here. It goes on."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Headline without a full stop", "The body starts here.", "It goes on."
    ]


def test_overlap_repeats_sentences(embedder: SentenceTransformerEmbedder) -> None:
    chunker = Chunker(max_tokens=20, model_max_tokens=256, count_model_tokens=embedder.count_tokens,
                      overlap_sentences=1)
    text = " ".join(f"Sentence number {i} says something short." for i in range(8))
    chunks = chunker.chunk(Article(id="o", title="", text=text))
    assert len(chunks) > 2
    for before, after in zip(chunks, chunks[1:]):
        assert after.sentences[0] == before.sentences[-1]


def test_one_long_line_is_split_as_a_whole_within_nltks_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """NLTK stops a regular-expression scan after 5 s of processor time (nltk.redos), counted
    for the whole process: punkt over a 5 MB line took about that alone, more with the encoder
    busy. It is now read a window at a time, with the same sentences as the line read at once."""
    redos = pytest.importorskip("nltk.redos")
    parts = []
    for i in range(3000):
        parts.append(f'Mr. Lopez said on day {i} that the U.S. bridge (built in 1932) would reopen. "Soon," she said.')
        if i % 500 == 7:  # now and then a sentence far longer than a window
            parts.append(" ".join(f"word{j}" for j in range(900)) + ".")
    text = " ".join(parts)
    whole = [(a, b) for a, b in _punkt().span_tokenize(text)]
    monkeypatch.setattr(redos, "DEFAULT_TIMEOUT", 0.05)
    monkeypatch.setattr(sentences, "WINDOW_CHARS", 2000, raising=False)
    assert sentence_spans(text) == whole
    assert sentence_spans(f"Headline\n{text}\nLast line.")[1:-1] == [(a + 9, b + 9) for a, b in whole]


def test_a_long_paragraph_that_opens_with_blank_space_is_split() -> None:
    """A window of nothing but spaces holds no sentence at all; the next ones still count."""
    text = " " * (sentences.WINDOW_CHARS + 10) + "The ferry resumed. The quay reopened."
    assert [text[a:b] for a, b in sentence_spans(text)] == ["The ferry resumed.", "The quay reopened."]
