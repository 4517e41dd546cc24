"""Sentence-aware chunking with a tiktoken budget that never exceeds what the embedder sees."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple

from index.encoders.offline import go_offline
from index.models import Article, Chunk
from language.sentences import Span, iter_sentence_spans

if TYPE_CHECKING:
    import tiktoken

_WORDS = re.compile(r"\S+")
# Token counts of separately tokenized pieces can differ from the joined text by a token at a
# seam; this margin per seam keeps the packing estimate on the safe side.
_SEAM = 1

CountMany = Callable[[Sequence[str]], list[int]]
# Sentences (or words of an over-long one) counted per tokenizer call: a long article is counted
# as it is chunked, not all before its first chunk.
COUNT_BATCH = 512


class _Unit(NamedTuple):
    """A sentence, or a piece of one, that a chunk is made of: its span and its token counts."""

    start: int
    end: int
    tik: int  # tiktoken tokens (the chunk budget's unit)
    model: int  # the embedder's tokens, special tokens left out


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
        return list(self.iter_chunks(article))

    def iter_chunks(self, article: Article) -> Iterator[Chunk]:
        """The article's chunks, each made as soon as the text up to its end is read: a caller
        can tell how far a long article got (`chunk.end`), and memory holds a chunk's worth."""
        text = article.text
        head = embedding_text(article.title, "")
        head_cost = self._specials + (self.count_model_tokens([head])[0] - self._specials if head else 0) + _SEAM
        room = self.model_max_tokens - head_cost
        units = self._units(text, room)
        window: list[_Unit] = []  # the units from the next chunk's first on

        def have(n: int) -> bool:
            """Whether the window holds `n` units (read more as needed)."""
            while len(window) < n and (unit := next(units, None)) is not None:
                window.append(unit)
            return len(window) >= n

        index = 0
        while have(1):
            j, t_sum, m_sum = 1, window[0].tik, window[0].model
            while have(j + 1):
                t_next, m_next = t_sum + window[j].tik + _SEAM, m_sum + window[j].model + _SEAM
                if t_next > self.max_tokens or m_next > room:
                    break
                j, t_sum, m_sum = j + 1, t_next, m_next
            # The summed estimate is an upper bound; near the limit, count the real text to be sure.
            while j > 1 and m_sum > room - 8 and not self._fits_exactly(
                article.title, text[window[0].start : window[j - 1].end]
            ):
                j -= 1
            start, end = window[0].start, window[j - 1].end
            yield Chunk(article.id, index, start, end, text[start:end], tuple((u.start, u.end) for u in window[:j]))
            index += 1
            if not have(j + 1):
                return
            del window[: max(1, j - self.overlap_sentences)]  # repeat the overlap, but always move on

    def _fits_exactly(self, title: str, chunk_text: str) -> bool:
        return self.count_model_tokens([embedding_text(title, chunk_text)])[0] <= self.model_max_tokens

    def _counted(self, text: str, spans: Iterator[Span]) -> Iterator[_Unit]:
        """Spans with their token counts, counted COUNT_BATCH at a time."""
        while batch := list(islice(spans, COUNT_BATCH)):
            tik, model = self._counts([text[a:b] for a, b in batch])
            yield from (_Unit(a, b, t, m) for (a, b), t, m in zip(batch, tik, model))

    def _units(self, text: str, room: int) -> Iterator[_Unit]:
        """Sentences, with any sentence over the budget cut at word boundaries into pieces that fit."""
        for unit in self._counted(text, iter_sentence_spans(text)):
            if unit.tik <= self.max_tokens and unit.model <= room:
                yield unit
            else:
                yield from self._counted(text, self._split(text, (unit.start, unit.end), room))

    def _split(self, text: str, span: Span, room: int) -> Iterator[Span]:
        words = ((w.start(), w.end()) for w in _WORDS.finditer(text, span[0], span[1]))
        start: int | None = None
        t_sum = m_sum = 0
        prev_end = span[0]
        for a, b, t, m in self._counted(text, words):
            if t > self.max_tokens or m > room:  # one huge "word" (a URL, a table row): cut by characters
                if start is not None:
                    yield start, prev_end
                    start = None
                yield from self._split_chars(text, (a, b), room)
                continue
            if start is not None and (t_sum + t + _SEAM > self.max_tokens or m_sum + m + _SEAM > room):
                yield start, prev_end
                start = None
            if start is None:
                start, t_sum, m_sum = a, t, m
            else:
                t_sum, m_sum = t_sum + t + _SEAM, m_sum + m + _SEAM
            prev_end = b
        if start is not None:
            yield start, prev_end

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
