"""Sentence-aware chunking with a tiktoken budget that never exceeds what the embedder sees."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable

from index.models import Article, Chunk
from index.offline import go_offline
from ingest.sentences import Span, sentence_spans

if TYPE_CHECKING:
    import tiktoken

_WORDS = re.compile(r"\S+")


def embedding_text(title: str, chunk_text: str) -> str:
    """What the embedder reads for a chunk: the headline (capped) gives short passages their topic."""
    headline = " ".join(title.split()[:24])
    return f"{headline}\n{chunk_text}" if headline else chunk_text


@dataclass
class Chunker:
    """Packs whole sentences into chunks of at most `max_tokens` tiktoken tokens.

    `count_model_tokens` is the embedder's own tokenizer; a chunk (with its headline) that the
    embedder would truncate is split further, so no chunk is ever silently cut.
    """

    max_tokens: int
    model_max_tokens: int
    count_model_tokens: Callable[[str], int]
    overlap_sentences: int = 1
    encoding_name: str = "cl100k_base"

    @cached_property
    def encoding(self) -> tiktoken.Encoding:
        go_offline()
        import tiktoken

        return tiktoken.get_encoding(self.encoding_name)

    def count(self, text: str) -> int:
        return len(self.encoding.encode(text, disallowed_special=()))

    def fits(self, title: str, text: str) -> bool:
        return (
            self.count(text) <= self.max_tokens
            and self.count_model_tokens(embedding_text(title, text)) <= self.model_max_tokens
        )

    def chunk(self, article: Article) -> list[Chunk]:
        text, title = article.text, article.title
        units = [piece for span in sentence_spans(text) for piece in self._split_long(title, text, span)]
        chunks: list[Chunk] = []
        i = 0
        while i < len(units):
            j = i + 1
            while j < len(units) and self.fits(title, text[units[i][0] : units[j][1]]):
                j += 1
            start, end = units[i][0], units[j - 1][1]
            chunks.append(
                Chunk(article.id, len(chunks), start, end, text[start:end], tuple(units[i:j]))
            )
            if j >= len(units):
                break
            # Repeat the last sentences in the next chunk, but always move forward.
            i = max(i + 1, j - self.overlap_sentences)
        return chunks

    def _split_long(self, title: str, text: str, span: Span) -> list[Span]:
        """A sentence over the budget is cut at word boundaries into pieces that fit."""
        if self.fits(title, text[span[0] : span[1]]):
            return [span]
        words: list[Span] = []
        for m in _WORDS.finditer(text[span[0] : span[1]]):
            words.extend(self._split_word(title, text, (span[0] + m.start(), span[0] + m.end())))
        pieces: list[Span] = []
        k = 0
        while k < len(words):
            m = k + 1
            while m < len(words) and self.fits(title, text[words[k][0] : words[m][1]]):
                m += 1
            pieces.append((words[k][0], words[m - 1][1]))
            k = m
        return pieces

    def _split_word(self, title: str, text: str, span: Span) -> list[Span]:
        """A single over-long token run (a URL, a table row without spaces) is cut by characters."""
        start, end = span
        if self.fits(title, text[start:end]):
            return [span]
        pieces: list[Span] = []
        while start < end:
            low, high = start + 1, end
            while low < high:  # the longest prefix that fits
                mid = (low + high + 1) // 2
                if self.fits(title, text[start:mid]):
                    low = mid
                else:
                    high = mid - 1
            pieces.append((start, low))
            start = low
        return pieces


def create_chunker(max_tokens: int, overlap_sentences: int, encoding: str, embedder_max_tokens: int,
                   count_model_tokens: Callable[[str], int]) -> Chunker:
    return Chunker(
        max_tokens=max_tokens,
        model_max_tokens=embedder_max_tokens,
        count_model_tokens=count_model_tokens,
        overlap_sentences=overlap_sentences,
        encoding_name=encoding,
    )
