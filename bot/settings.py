"""The one settings tree, and the answering side's own sections (answers, LLM, Slack).

Environment variables (and a `.env` file) are read by the settings classes and nowhere else.
Each room owns its sections (index: store, embedding, chunking; ingest: ingest; here: answer,
llm, slack); `Settings` nests them all and is handed down, a section to each room.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode

from index.errors import UserInputError
from index.settings import ChunkSettings, EmbeddingSettings, StoreSettings, section_config
from ingest.settings import IngestSettings


class AnswerSettings(BaseSettings):
    model_config = section_config("NEWSDESK_ANSWER_")

    passages: int = Field(default=12, ge=1, le=50, description="Passages read sentence by sentence per question.")
    min_score: float = Field(
        default=0.45,
        description="Minimum evidence score (0-1) below which newsdesk says the archive does not answer. "
        "Calibrated on the seed set and the dev kit (docs/evals.md).",
    )
    max_question_chars: int = Field(default=1000, ge=10, description="Longest question accepted.")
    ranker: bool = Field(
        default=True,
        description="Pick short answers with the learned answer ranker (bot/extractive/ranker.json, "
        "trained by `newsdesk train-ranker`); off: the hand-set votes of bot/extractive/tuning.py.",
    )
    ranker_model: Path | None = Field(
        default=None, description="A ranker model file to use instead of the shipped one."
    )
    articles_per_story: int = Field(
        default=1, ge=1, le=20,
        description="Articles of one wire story (near-duplicate copies found at ingest) among the passages "
        "read; the passages of the others come after every other passage (docs/live-archive.md).",
    )
    reader: Literal["int8", "exact"] = Field(
        default="int8",
        description="How the extractive answerer encodes candidate sentences to compare them with the "
        "question: int8 (the model with torch's dynamic int8 arithmetic, exported once and run by "
        "ONNX Runtime; what the answerer's thresholds were tuned with) or exact (the index's own "
        "encoder). Retrieval always uses the index's encoder; onnx-int8 always reads with its own.",
    )


class LLMSettings(BaseSettings):
    """Opt-in LLM answer mode: on only when both `base_url` and `model` are set."""

    model_config = section_config("NEWSDESK_LLM_")

    base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible chat API, e.g. http://localhost:11434/v1 (Ollama).",
    )
    model: str | None = Field(default=None, description="Model name, as the endpoint knows it.")
    api_key: SecretStr | None = Field(
        default=None,
        description="API key sent as a bearer token; leave unset for local servers. Never logged.",
    )
    timeout: float = Field(
        default=60.0, gt=0,
        description="Deadline in seconds for the model's whole answer to one question, every request "
        "included; then newsdesk closes the connection and answers extractively. Never retried.",
    )
    max_retries: int = Field(
        default=1, ge=0,
        description="Retries after a connection error, 429 or 5xx, within the deadline (never after a timeout).",
    )
    passages: int = Field(
        default=6, ge=1, le=50,
        description="Most passages the model reads per question (the extractive answerer reads "
        "NEWSDESK_ANSWER_PASSAGES).",
    )
    prompt_tokens: int = Field(
        default=1800, ge=300,
        description="Most tokens the prompt may take (instructions, passages and question, estimated "
        "with tiktoken): with the reply, it fits a 4k context and reads quickly on local hardware.",
    )
    context_tokens: int | None = Field(
        default=None, ge=512,
        description="The server's context window in tokens, if known (e.g. Ollama's num_ctx); the "
        "prompt and the reply are fitted into it. Unset: asked of the server (vLLM, llama.cpp) and "
        "learnt from its error when a prompt does not fit.",
    )
    stream: bool = Field(
        default=True,
        description="Show the model's answer in Slack as it is written (edited in place), before the "
        "verified answer replaces it.",
    )
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(default=512, ge=16, description="Longest reply the model may write.")
    json_mode: bool = Field(
        default=True,
        description="Ask for a JSON object via response_format; newsdesk retries without it when the "
        "endpoint rejects the option.",
    )
    min_quote_chars: int = Field(
        default=12, ge=1, description="Shorter quotes are not evidence and are dropped."
    )

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)

class SlackSettings(BaseSettings):
    """Slack's own variable names for the credentials and API URL; NEWSDESK_SLACK_* for the rest."""

    model_config = section_config("NEWSDESK_SLACK_")

    bot_token: SecretStr | None = Field(
        default=None, validation_alias="SLACK_BOT_TOKEN",
        description="Bot token (xoxb-...) used for every Web API call (SLACK_BOT_TOKEN).",
    )
    app_token: SecretStr | None = Field(
        default=None, validation_alias="SLACK_APP_TOKEN",
        description="App-level token (xapp-...) with connections:write; when set, Socket Mode is the "
        "default (SLACK_APP_TOKEN).",
    )
    signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET",
        description="Signing secret that HTTP-mode requests are verified with (SLACK_SIGNING_SECRET).",
    )
    api_url: str = Field(
        default="https://slack.com/api/", validation_alias="SLACK_API_URL",
        description="Base URL of the Slack Web API; point it at a Slack-compatible server to run "
        "without Slack (SLACK_API_URL).",
    )
    allowed_channels: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="Channel ids (C...) the bot answers in, comma-separated; empty means every channel "
        "it is in. Direct messages are governed by allowed_users only.",
    )
    allowed_users: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="User ids (U...) the bot answers, comma-separated; empty means everyone.",
    )

    @field_validator("allowed_channels", "allowed_users", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins base_url and the method name by plain concatenation.
        return value if value.endswith("/") else value + "/"


class Settings(BaseModel):
    """Everything configurable, nested by concern."""

    store: StoreSettings = Field(default_factory=StoreSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; `overrides` replace top-level store fields (e.g. home from --data-dir)."""
    try:
        settings = Settings()
    except ValidationError as exc:  # a bad environment variable: one clear line, no traceback
        raise UserInputError(_describe(exc)) from None
    store_overrides = {k: v for k, v in overrides.items() if v is not None}
    if store_overrides:
        settings.store = settings.store.model_copy(update=store_overrides)
    return settings


def _describe(exc: ValidationError) -> str:
    sections = {field.annotation.__name__: field.annotation for field in Settings.model_fields.values()
                if isinstance(field.annotation, type)}
    section = sections.get(exc.title)
    prefix = str(section.model_config.get("env_prefix", "")) if section else ""
    first = exc.errors()[0]
    name = prefix + "_".join(str(part) for part in first["loc"]).upper()
    return f"invalid setting {name}={first.get('input')!r}: {first['msg']}"
