"""How many tokens a prompt may take, and counting them without the model's own tokenizer.

Tokens are counted with tiktoken's cl100k_base (shipped with llama-index-core, so offline). Local
models count differently (Qwen2.5: the same for the instructions, 2% more for the seed article; a
smaller vocabulary counts more), so a prompt fitted into a context leaves a safety margin, and a
server's own count, when its error gives one, replaces the margin for the rest of the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

log = logging.getLogger(__name__)

TEMPLATE_TOKENS = 48  # what chat templates add around two messages (role markers, special tokens)
DEFAULT_RATIO = 1.15  # the server's count over ours, assumed until a server says
SMALLEST_CONTEXT = 512


def count_tokens(text: str) -> int:
    encoding = _encoding()
    if encoding is None:
        return len(text) // 4 + 1
    return len(encoding.encode_ordinary(text))


@cache
def _encoding() -> tiktoken.Encoding | None:
    from index.encoders.offline import go_offline

    go_offline()  # tiktoken's files from llama-index-core, never a download
    try:
        import tiktoken

        return tiktoken.get_encoding("cl100k_base")
    except Exception as exc:  # noqa: BLE001 - a missing or broken tokenizer only makes counts rougher
        log.warning("tiktoken is unavailable (%s): counting tokens as characters / 4", type(exc).__name__)
        return None


@dataclass
class Budget:
    """The prompt budget of one endpoint, as learnt during a run.

    `limit(configured, context, reply)` is the most prompt tokens (our count) to send: the
    configured budget, and within the context less the reply, the template and the margin."""

    ratio: float = DEFAULT_RATIO
    cap: int | None = None  # after a context error that gave no sizes: what we now assume fits
    context: int | None = None  # the context size a server's error gave

    def limit(self, configured: int, context: int | None, reply_tokens: int) -> int:
        limit = configured
        if self.context and (context is None or self.context < context):
            context = self.context  # a server that said less than it reported or was configured to
        if context:
            limit = min(limit, int((context - reply_tokens - TEMPLATE_TOKENS) / self.ratio))
        if self.cap is not None:
            limit = min(limit, self.cap)
        return max(limit, 1)

    def learn(self, sent: int, server_count: int | None, context: int | None, reply_tokens: int) -> None:
        """A prompt of `sent` tokens (our count) did not fit. Where the server counted it, its
        count sets the ratio; where it gave no context size either, assume the largest usual
        context (a power of two) below what was asked for."""
        if server_count and sent:
            self.ratio = max(server_count / sent, 1.0)
        if context is not None:
            self.context = context
        else:
            asked = int(sent * self.ratio) + reply_tokens + TEMPLATE_TOKENS
            guess = SMALLEST_CONTEXT
            while guess * 2 < asked:
                guess *= 2
            self.cap = max(1, int((guess - reply_tokens - TEMPLATE_TOKENS) / self.ratio))
            log.info("assuming a context of %d tokens: the prompt is cut to %d", guess, self.cap)
