"""Sentence-aware chunking with a tiktoken budget that never exceeds what the embedder sees."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from index.models import Article, Chunk
from index.offline import go_offline
from ingest.sentences import Span, sentence_spans

if TYPE_CHECKING:
    import tiktoken

_WORDS = re.compile(r"\S+")
# Token counts of separately tokenized pieces can differ from the joined text by a token at a
# seam; this margin per seam keeps the packing estimate on the safe side.
_SEAM = 1

CountMany = Callable[[Sequence[str]], list[int]]


def embedding_text(title: str, chunk_text: str) -> str:
    """What the embedder reads for a chunk: the headline (capped) gives short passages their topic."""
    headline = " ".join(title.split()[:24])
    return f"{headline}\n{chunk_text}" if headline else chunk_text


@dataclass
class Chunker:
    """Packs whole sentences into chunks of at most `max_tokens` tiktoken tokens.

    `count_model_tokens` counts the embedder's own tokens (special tokens included) for each
    text. Counts are taken once per sentence and summed; each finished chunk is then counted
    exactly, so no chunk (with its headline) is ever longer than the embedder sees.
    """

    max_tokens: int
    model_max_tokens: int
    count_model_tokens: CountMany
    overlap_sentences: int = 0
    encoding_name: str = "cl100k_base"

    @cached_property
    def encoding(self) -> tiktoken.Encoding:
        go_offline()
        import tiktoken

        return tiktoken.get_encoding(self.encoding_name)

    def count(self, text: str) -> int:
        """tiktoken tokens of a text (the chunk budget's unit)."""
        return len(self.encoding.encode_ordinary(text))

    @cached_property
    def _specials(self) -> int:
        return self.count_model_tokens([""])[0]

    def _counts(self, pieces: Sequence[str]) -> tuple[list[int], list[int]]:
        # Plain calls: the batch API's thread pool costs more than it saves on sentence-sized text.
        tik = [len(self.encoding.encode_ordinary(p)) for p in pieces]
        model = [n - self._specials for n in self.count_model_tokens(pieces)] if pieces else []
        return tik, model

    def chunk(self, article: Article) -> list[Chunk]:
        text = article.text
        head = embedding_text(article.title, "")
        head_cost = self._specials + (self.count_model_tokens([head])[0] - self._specials if head else 0) + _SEAM
        room = self.model_max_tokens - head_cost
        units = self._units(text, sentence_spans(text), room)
        tik, model = self._counts([text[a:b] for a, b in units])
        chunks: list[Chunk] = []
        i = 0
        while i < len(units):
            j, t_sum, m_sum = i + 1, tik[i], model[i]
            while j < len(units):
                t_next, m_next = t_sum + tik[j] + _SEAM, m_sum + model[j] + _SEAM
                if t_next > self.max_tokens or m_next > room:
                    break
                j, t_sum, m_sum = j + 1, t_next, m_next
            # The summed estimate is an upper bound; near the limit, count the real text to be sure.
            while j > i + 1 and m_sum > room - 8 and not self._fits_exactly(
                article.title, text[units[i][0] : units[j - 1][1]]
            ):
                j -= 1
            start, end = units[i][0], units[j - 1][1]
            chunks.append(Chunk(article.id, len(chunks), start, end, text[start:end], tuple(units[i:j])))
            if j >= len(units):
                break
            i = max(i + 1, j - self.overlap_sentences)  # repeat the overlap, but always move on
        return chunks

    def _fits_exactly(self, title: str, chunk_text: str) -> bool:
        return self.count_model_tokens([embedding_text(title, chunk_text)])[0] <= self.model_max_tokens

    def _units(self, text: str, spans: list[Span], room: int) -> list[Span]:
        """Sentences, with any sentence over the budget cut at word boundaries into pieces that fit."""
        tik, model = self._counts([text[a:b] for a, b in spans])
        units: list[Span] = []
        for span, t, m in zip(spans, tik, model):
            if t <= self.max_tokens and m <= room:
                units.append(span)
            else:
                units.extend(self._split(text, span, room))
        return units

    def _split(self, text: str, span: Span, room: int) -> list[Span]:
        words = [(span[0] + w.start(), span[0] + w.end()) for w in _WORDS.finditer(text[span[0] : span[1]])]
        tik, model = self._counts([text[a:b] for a, b in words])
        pieces: list[Span] = []
        start: int | None = None
        t_sum = m_sum = 0
        prev_end = span[0]
        for (a, b), t, m in zip(words, tik, model):
            if t > self.max_tokens or m > room:  # one huge "word" (a URL, a table row): cut by characters
                if start is not None:
                    pieces.append((start, prev_end))
                    start = None
                pieces.extend(self._split_chars(text, (a, b), room))
                continue
            if start is not None and (t_sum + t + _SEAM > self.max_tokens or m_sum + m + _SEAM > room):
                pieces.append((start, prev_end))
                start = None
            if start is None:
                start, t_sum, m_sum = a, t, m
            else:
                t_sum, m_sum = t_sum + t + _SEAM, m_sum + m + _SEAM
            prev_end = b
        if start is not None:
            pieces.append((start, prev_end))
        return pieces

    def _split_chars(self, text: str, span: Span, room: int) -> list[Span]:
        start, end = span
        pieces: list[Span] = []
        while start < end:
            low, high = start + 1, end
            while low < high:  # the longest prefix that fits
                mid = (low + high + 1) // 2
                t, m = self._counts([text[start:mid]])
                if t[0] <= self.max_tokens and m[0] <= room:
                    low = mid
                else:
                    high = mid - 1
            pieces.append((start, low))
            start = low
        return pieces


def create_chunker(max_tokens: int, overlap_sentences: int, encoding: str, embedder_max_tokens: int,
                   count_model_tokens: CountMany) -> Chunker:
    return Chunker(
        max_tokens=max_tokens,
        model_max_tokens=embedder_max_tokens,
        count_model_tokens=count_model_tokens,
        overlap_sentences=overlap_sentences,
        encoding_name=encoding,
    )
