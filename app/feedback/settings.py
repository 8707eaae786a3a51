"""What AI feedback is configured with, and what a request for it returns: plain data, so the
web app can hold them without loading the `openai` client until feedback is asked for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .prompt import PROMPT_VERSION

Status = Literal["ok", "disabled", "error"]


@dataclass(frozen=True)
class LLMSettings:
    api_key: str | None
    base_url: str | None
    model: str
    timeout: float = 30.0  # seconds per call
    max_retries: int = 2  # the openai client's own retries (429 honours Retry-After, 5xx, drops)
    stream: bool = False

    @property
    def enabled(self) -> bool:
        return bool(self.api_key)

    @staticmethod
    def enabled_in(config: Mapping[str, Any]) -> bool:
        """What `enabled` says of the settings `from_config` would make, without making them."""
        return bool(config.get("OPENAI_API_KEY"))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LLMSettings:
        return cls(
            api_key=config.get("OPENAI_API_KEY") or None,
            base_url=config.get("OPENAI_BASE_URL") or None,
            model=str(config.get("LLM_MODEL")),
            timeout=float(config.get("LLM_TIMEOUT", 30)),
            max_retries=int(config.get("LLM_MAX_RETRIES", 2)),
            stream=bool(config.get("LLM_STREAM", False)),
        )


@dataclass(frozen=True)
class FeedbackResult:
    status: Status
    reason: str | None
    model: str | None
    feedback: dict[str, Any] | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: int | None = None
    prompt_version: str = PROMPT_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
