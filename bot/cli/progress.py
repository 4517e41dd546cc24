"""How `newsdesk ingest` shows how far it got (ingest.progress): a bar per stage on a terminal
(`bot.cli.common.RichProgress`), or with --json or no terminal a line on stderr every few seconds
(`ProgressLines`); never anything on stdout, which is the report."""

from __future__ import annotations

import sys
import threading
import time
from typing import NamedTuple

from rich.progress import ProgressColumn, Task
from rich.text import Text

from bot import messages
from ingest.progress import IngestProgress


class Stage(NamedTuple):
    key: str
    said: str  # what was done, in words and numbers
    done: int
    total: int | None  # None: not known (articles still being read)


def stages(state: IngestProgress) -> list[Stage]:
    """Each stage that has begun, in the order the work goes through them."""
    found = [Stage("read", messages.INGEST_STAGE_READ.format(done=state.articles_read), state.articles_read, None)]
    if state.chars_to_chunk:
        found.append(Stage("chunk", messages.INGEST_STAGE_CHUNKED.format(done=state.chars_chunked,
                                                                         total=state.chars_to_chunk),
                           state.chars_chunked, state.chars_to_chunk))
    if state.passages and state.marking_up:
        found.append(Stage("mark-up", messages.INGEST_STAGE_MARKED_UP.format(done=state.marked_up,
                                                                             total=state.passages),
                           state.marked_up, state.passages))
    if state.passages:
        found.append(Stage("encode", messages.INGEST_STAGE_ENCODED.format(done=state.encoded, total=state.passages),
                           state.encoded, state.passages))
    return found


class ProgressLines:
    """An ingest's progress as one line on stderr every `every` seconds, whether or not it moved
    (loading the model, fingerprinting a huge article), for logs, cron jobs and --json; with
    `every` 0, a line at every step instead."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.started = time.monotonic()
        self.state = IngestProgress()
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        if every > 0:
            threading.Thread(target=self._beat, name="newsdesk-progress", daemon=True).start()

    def update(self, state: IngestProgress) -> None:
        with self.lock:
            self.state = state
            if self.every == 0:
                self._say()

    def stop(self) -> None:
        self.stopped.set()

    def _beat(self) -> None:
        while not self.stopped.wait(self.every):
            with self.lock:
                self._say()

    def _say(self) -> None:
        said = "; ".join(stage.said for stage in stages(self.state))
        seconds = time.monotonic() - self.started
        sys.stderr.write(messages.INGEST_PROGRESS.format(seconds=seconds, stages=said) + "\n")
        sys.stderr.flush()


class CountColumn(ProgressColumn):
    """Done/total, as rich's MofNCompleteColumn, for the bars whose description does not say it."""

    def render(self, task: Task) -> Text:
        if task.fields.get("said"):
            return Text("")
        done = f"{task.completed:.0f}"
        return Text(f"{done}/{task.total:.0f}" if task.total is not None else done, style="progress.download")
