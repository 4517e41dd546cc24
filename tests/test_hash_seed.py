"""Answers and their citations do not depend on Python's string hashing, which differs per
process (PYTHONHASHSEED): a span's words are a set, and the order they were joined in once
decided whether a second article counted as corroborating the answer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PROBE = """
import sys
from datetime import date
from pathlib import Path
from bot.runtime import Runtime
from bot.settings import load_settings
from index.encoders.embedder import HashingEmbedder
from index.memory_store import MemoryStore

root = Path(sys.argv[1])
settings = load_settings(home=root / "home")
settings.answer = settings.answer.model_copy(update={"min_score": 0.0})
runtime = Runtime(settings, embedder=HashingEmbedder(), store=MemoryStore())
runtime.ingest([root / "archive"])
query = runtime.query("By how many months did the court extend her detention?", date(2022, 7, 1))
answer = runtime.raw_answerer.ask(query)
print(answer.answer, sorted(c.article_id for c in answer.citations))
"""


def test_the_same_question_gets_the_same_citations_in_every_process(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "court.txt").write_text(" date 2022-06-27 Court extends detention\nThe court extended her "
                                       "detention by six months pending the trial on Monday.\n")
    (archive / "trial.txt").write_text(" date 2022-06-28 Trial set\nHer detention, which was extended by six "
                                       "months, has sparked protests.\n")
    outputs = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": str(seed),
               "NEWSDESK_INGEST_ANNOTATE": "false"}
        done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True,
                              env=env, cwd=REPO, check=True)
        outputs.add(done.stdout.strip().splitlines()[-1])
    assert len(outputs) == 1, outputs
    answer = outputs.pop()
    assert answer.startswith("six months") and answer.count("'") == 4  # both articles cited
