"""What the model must reply, and the checks that make its reply safe to show."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class CriterionAdvice(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    good: Short = ""  # what the answer did well on this criterion
    good_quote: Short = ""  # the words of the answer that show it
    add: Short = ""  # what to add or change
    add_quote: Short = ""  # where in the answer it would go, if anywhere
    level: int | None = None  # the model's own 0-4 level, for comparison only


class FeedbackReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    summary: Short
    criteria: list[CriterionAdvice] = Field(default_factory=list, max_length=30)
    rewrite: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)] = ""


def reply_json_schema(criterion_ids: list[str]) -> dict[str, Any]:
    """The JSON schema sent as `response_format` (strict structured output)."""
    advice = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "good", "good_quote", "add", "add_quote", "level"],
        "properties": {
            "id": {"type": "string", "enum": criterion_ids},
            "good": {"type": "string"},
            "good_quote": {"type": "string"},
            "add": {"type": "string"},
            "add_quote": {"type": "string"},
            "level": {"type": "integer", "minimum": 0, "maximum": 4},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["summary", "criteria", "rewrite"],
        "properties": {
            "summary": {"type": "string"},
            "criteria": {"type": "array", "items": advice},
            "rewrite": {"type": "string"},
        },
    }


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def grounded(quote: str, answer: str) -> bool:
    """A quote counts only if the answer really contains it (case and spacing aside)."""
    return bool(quote.strip()) and _normalise(quote) in _normalise(answer)


def sanitise(reply: FeedbackReply, answer: str, criterion_ids: list[str]) -> dict[str, Any]:
    """Keep only what can be trusted: known criteria, levels clamped to 0-4, real quotes."""
    known = set(criterion_ids)
    criteria = []
    seen: set[str] = set()
    for advice in reply.criteria:
        if advice.id not in known or advice.id in seen:
            continue
        seen.add(advice.id)
        level = None if advice.level is None else max(0, min(4, advice.level))
        criteria.append(
            {
                "id": advice.id,
                "good": advice.good,
                "good_quote": advice.good_quote if grounded(advice.good_quote, answer) else "",
                "add": advice.add,
                "add_quote": advice.add_quote if grounded(advice.add_quote, answer) else "",
                "level": level,
            }
        )
    return {"summary": reply.summary, "criteria": criteria, "rewrite": reply.rewrite}
