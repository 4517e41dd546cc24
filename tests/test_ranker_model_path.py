"""A ranker model path that cannot be used is never suggested, or accepted, as a place to write a
model: the advice names a new file in the data directory, and train-ranker will not overwrite a
file that is not a ranker model."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.extractive.ranker import load_model
from bot.runtime import Runtime
from bot.settings import load_settings
from index.encoders.embedder import HashingEmbedder
from index.errors import UserInputError
from index.memory_store import MemoryStore

PASSWORDS = "root:x:0:0:root:/root:/bin/bash\n"


def unusable_model_message(home: Path, model: Path) -> str:
    settings = load_settings(home=home)
    settings.answer = settings.answer.model_copy(update={"ranker_model": model})
    runtime = Runtime(settings, embedder=HashingEmbedder(), store=MemoryStore())
    with pytest.raises(UserInputError) as raised:
        runtime.raw_answerer  # noqa: B018 - loads the model
    return str(raised.value)


def test_a_file_that_is_not_a_model_is_never_suggested_as_the_place_to_train_one(tmp_path: Path) -> None:
    passwords = tmp_path / "passwd"
    passwords.write_text(PASSWORDS, encoding="utf-8")
    message = unusable_model_message(tmp_path / "home", passwords)
    assert str(passwords) in message  # what is wrong names the file ...
    assert f"--out {passwords}" not in message  # ... but never as a place to write
    assert f"--out {tmp_path / 'home' / 'ranker.json'}" in message
    assert passwords.read_text(encoding="utf-8") == PASSWORDS


def test_the_suggested_path_is_a_new_file_or_a_ranker_model(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "ranker.json").write_text("my notes", encoding="utf-8")  # taken, and not a model
    message = unusable_model_message(home, tmp_path / "missing.json")
    assert f"--out {home / 'ranker-2.json'}" in message
    model = load_model()
    assert model is not None
    (home / "ranker.json").write_text(json.dumps(model.to_json()), encoding="utf-8")  # a model: may be replaced
    message = unusable_model_message(home, tmp_path / "missing.json")
    assert f"--out {home / 'ranker.json'}" in message


def test_train_ranker_will_not_overwrite_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    passwords = tmp_path / "passwd"
    passwords.write_text(PASSWORDS, encoding="utf-8")
    kit = tmp_path / "kit"
    kit.mkdir()
    result = CliRunner().invoke(app, ["train-ranker", str(kit), "--out", str(passwords), "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, UserInputError) and "not a ranker model" in str(result.exception)
    assert passwords.read_text(encoding="utf-8") == PASSWORDS


def test_a_model_trained_for_other_features_falls_back_to_the_votes_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """A ranker.json whose feature list is not the ranker's (a feature added, no retraining yet):
    questions are still answered, by the hand-set votes, and a warning says to retrain."""
    shipped = load_model()
    assert shipped is not None
    data = shipped.to_json()
    data["answers"]["features"] = [*data["answers"]["features"][:-1], "a feature of another version"]
    model = tmp_path / "ranker.json"
    model.write_text(json.dumps(data), encoding="utf-8")
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text(" date 2022-03-01 Harbour reopens\nMayor Jane Okafor opened the harbour on "
                                "Tuesday, the council said.\n", encoding="utf-8")
    settings = load_settings(home=tmp_path / "home")
    settings.answer = settings.answer.model_copy(update={"ranker_model": model})
    runtime = Runtime(settings, embedder=HashingEmbedder(), store=MemoryStore())
    runtime.ingest([news])
    with caplog.at_level("WARNING"):
        answer = runtime.answerer.ask(runtime.query("Who opened the harbour?", date(2022, 3, 5)))
    assert answer.answer == "Jane Okafor" and answer.citations
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(str(model) in w and "train-ranker" in w for w in warned), warned


def test_the_shipped_model_trained_for_other_features_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """The same for bot/extractive/ranker.json itself (here: one written for other features)."""
    from bot.extractive import ranker

    shipped = load_model()
    assert shipped is not None
    data = shipped.to_json()
    data["choices"]["features"] = ["a choice feature of another version"]
    other = tmp_path / "ranker.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(ranker, "SHIPPED", str(other))  # an absolute path: joined, it is itself
    ranker._shipped.cache_clear()
    try:
        with caplog.at_level("WARNING"):
            assert load_model() is None
    finally:
        ranker._shipped.cache_clear()
    assert any(str(other) in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
