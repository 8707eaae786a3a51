"""What the model must reply, and the checks that make its reply safe to show."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
MAX_FOLLOW_UP = 300  # characters in a tailored follow-up question, and in its quote


class CriterionAdvice(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    good: Short = ""  # what the answer did well on this criterion
    good_quote: Short = ""  # the words of the answer that show it
    add: Short = ""  # what to add or change
    add_quote: Short = ""  # where in the answer it would go, if anywhere
    level: int | None = None  # the model's own 0-4 level, for comparison only


class FollowUpProposal(BaseModel):
    """A follow-up question tailored to the answer, grounded in its own words. Checked apart
    from the rest of the reply: an invalid one is dropped, the feedback stands."""

    model_config = ConfigDict(extra="ignore")

    criterion: str
    question: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=MAX_FOLLOW_UP)
    ]
    quote: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=MAX_FOLLOW_UP)
    ]


class FeedbackReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    summary: Short
    criteria: list[CriterionAdvice] = Field(default_factory=list, max_length=30)
    rewrite: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)] = ""
    follow_up: Any = None  # a FollowUpProposal when valid: see `tailored_follow_up`


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
    follow_up = {
        "type": "object",
        "additionalProperties": False,
        "required": ["criterion", "question", "quote"],
        "properties": {
            "criterion": {"type": "string", "enum": criterion_ids},
            "question": {"type": "string"},
            "quote": {"type": "string"},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["summary", "criteria", "rewrite", "follow_up"],
        "properties": {
            "summary": {"type": "string"},
            "criteria": {"type": "array", "items": advice},
            "rewrite": {"type": "string"},
            "follow_up": {"anyOf": [follow_up, {"type": "null"}]},
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
    sanitised: dict[str, Any] = {
        "summary": reply.summary,
        "criteria": criteria,
        "rewrite": reply.rewrite,
    }
    follow_up = tailored_follow_up(reply.follow_up, answer, known)
    if follow_up is not None:
        sanitised["follow_up"] = follow_up
    return sanitised


def tailored_follow_up(
    proposed: Any, answer: str, criterion_ids: set[str]
) -> dict[str, str] | None:
    """The model's follow-up, if it passes the feedback's own rules: a known criterion, a
    question of sensible length, and a quote the answer really contains. Else None."""
    if not proposed:
        return None
    try:
        follow_up = FollowUpProposal.model_validate(proposed)
    except ValidationError:
        return None
    if follow_up.criterion not in criterion_ids or not grounded(follow_up.quote, answer):
        return None
    return follow_up.model_dump()
