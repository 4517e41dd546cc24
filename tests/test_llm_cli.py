"""`newsdesk ask --llm-...` as a user runs it: a real subprocess against a scripted local endpoint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from bot.runtime import Runtime
from index.encoders.embedder import SentenceTransformerEmbedder
from tests.conftest import REPO, make_settings
from tests.openai_server import FakeOpenAIServer, answer_json, passage_with
from tests.test_llm_answerer import ANSWER, FAKE, JAN_2, QUESTION, TWO_DAYS

KEY = "sk-cli-3b1d-never-print"


def newsdesk(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "OPENAI_"))}
    env.update({"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "ANONYMIZED_TELEMETRY": "False", "OPENAI_API_KEY": "sk-openai-must-not-be-used"})
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          check=False, env=env, cwd=REPO, timeout=600)


def test_ask_json_in_llm_mode_returns_only_verified_citations(
    seeded_home: Path, embedder: SentenceTransformerEmbedder, tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home)
    with FakeOpenAIServer() as server:
        server.script(lambda body: answer_json(
            ANSWER, (passage_with(body, "Two days later"), TWO_DAYS),
            (passage_with(body, "On January 2"), JAN_2), (1, FAKE)))
        result = newsdesk("ask", "--json", "--llm-base-url", server.base_url, "--llm-model", "M",
                          "--llm-api-key", KEY, "--data-dir", str(home), QUESTION)

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["mode"], data["answer"], data["abstained"], data["dropped_citations"]) == ("llm", ANSWER, False, 1)
    assert [c["quote"] for c in data["citations"]] == [TWO_DAYS, JAN_2]
    store = Runtime(make_settings(home), embedder=embedder).store
    for citation in data["citations"]:
        article = store.get_article(citation["article_id"])
        assert article is not None and article.text[citation["start"]:citation["end"]] == citation["quote"]

    (request,) = server.requests
    assert request.body["model"] == "M"
    assert f"Reference date: {date.today().isoformat()}" in request.message("user")
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert KEY not in result.stdout + result.stderr


def test_half_an_llm_configuration_is_one_clear_line() -> None:
    result = newsdesk("ask", "--llm-model", "M", QUESTION)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: LLM mode needs both a base URL and a model")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 2
