"""`newsdesk eval --llm-base-url ... --llm-model ...`: the seed gold set in LLM mode against a scripted
local endpoint, with the LLM figures (the model's share, fallbacks by reason, tokens, seconds)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bot.cli.main import app
from tests.openai_server import FakeOpenAIServer, Reply, answer_json, chat, passage_with, status
from tests.test_llm_answerer import TWO_DAYS

PASHINYAN = ("Prime Minister of Armenia Nikol Pashinyan, incumbent chair of the Council in 2022, "
             "said on Thursday, January 6.")


def by_question(body: dict[str, Any]) -> Reply:
    user = "\n".join(m["content"] for m in body["messages"] if m["role"] == "user")
    if "reach Almaty" in user:
        return answer_json("January 4, 2022", (passage_with(body, "Two days later"), TWO_DAYS))
    return answer_json("Thursday, January 6", (passage_with(body, "Pashinyan, incumbent"), PASHINYAN))


def test_eval_in_llm_mode_reports_the_models_share_fallbacks_tokens_and_seconds(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    with FakeOpenAIServer() as server:
        # The first four seed questions: answered; not JSON; HTTP 500 twice (one retry); answered.
        server.script(by_question, chat("The protests began on January 2."), status(500), status(500), by_question)
        result = CliRunner().invoke(app, [
            "eval", "--limit", "4", "--json", str(out), "--data-dir", str(tmp_path / "home"),
            "--llm-base-url", server.base_url, "--llm-model", "scripted"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "LLM mode" in result.stdout and "fallback: invalid_reply" in result.stdout

    report = json.loads(out.read_text(encoding="utf-8"))
    llm = report["llm"]
    assert (llm["asked"], llm["llm_answers"], llm["llm_share"]) == (4, 2, 0.5)
    assert llm["fallbacks"] == {"invalid_reply": 1, "http": 1}
    assert llm["requests"] == len(server.requests) == 5
    assert llm["prompt_tokens"]["mean"] > 0 and llm["seconds"]["max"] >= llm["seconds"]["mean"] > 0
    assert report["settings"]["llm"]["passages"] == 6 and report["settings"]["llm"]["model"] == "scripted"
    assert report["metrics"]["citation_validity"] == 1.0
    records = report["questions"]
    assert [r["answer_mode"] for r in records] == ["llm", "extractive", "extractive", "llm"]
    assert [r["llm"]["fallback"] for r in records] == [None, "invalid_reply", "http", None]
    assert records[0]["answer"] == "January 4, 2022" and records[0]["correct"]


def test_eval_without_llm_flags_has_no_llm_section(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["eval", "--limit", "1", "--json", str(out), "--data-dir", str(tmp_path / "h")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["llm"] is None and "llm" not in report["questions"][0]
    assert "LLM mode" not in result.stdout
