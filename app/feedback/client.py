"""Ask an OpenAI-compatible server for feedback; every failure becomes a status and a reason.

Uses the official `openai` client with the Chat Completions API, which every compatible server
speaks. Structured output (`json_schema`) is asked for first; servers that reject it get JSON mode,
then a plain request for JSON. The reply is validated and sanitised before anyone sees it.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

import openai
from pydantic import ValidationError

from pm_scoring import Rubric, ScoreReport

from .prompt import build_messages
from .schema import FeedbackReply, reply_json_schema, sanitise
from .settings import FeedbackResult, LLMSettings

__all__ = ["FeedbackResult", "LLMSettings", "request_feedback"]

log = logging.getLogger("coach.feedback")


class _Refused(Exception):
    pass


class _BadReply(Exception):
    pass


def request_feedback(
    settings: LLMSettings, question: str, rubric: Rubric, report: ScoreReport, answer: str
) -> FeedbackResult:
    """Feedback on one answer, or a plain reason why there is none. Never raises; the whole
    call, retries and their waits included, ends within timeout x (retries + 1)."""
    if not settings.enabled:
        return FeedbackResult("disabled", "AI feedback is off: no OPENAI_API_KEY is set.", None)
    ids = [c.spec.id for c in rubric.criteria]
    client = _client(settings.api_key, settings.base_url, settings.timeout)
    started = time.perf_counter()
    deadline = started + settings.timeout * (settings.max_retries + 1)
    messages = build_messages(question, rubric, report, answer)
    try:
        content, usage = _with_retries(
            lambda: _complete(client, settings, messages, ids), settings.max_retries, deadline
        )
        reply = FeedbackReply.model_validate(_parse_json(content))
    except openai.APITimeoutError:
        reason = f"the AI server did not answer within {settings.timeout:g} s"
    except openai.APIConnectionError as exc:
        reason = f"could not reach the AI server ({_cause(exc)})"
    except openai.RateLimitError:
        reason = (
            f"the AI server is rate limiting requests (429, after {settings.max_retries} retries)"
        )
    except openai.APIStatusError as exc:
        reason = f"the AI server answered with an error ({exc.status_code})"
    except _Refused as exc:
        reason = f"the model declined to give feedback ({exc})"
    except _BadReply as exc:
        reason = f"the AI reply was not valid JSON ({exc})"
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "reply"
        reason = f"the AI reply did not fit the expected shape ({where}: {first['msg']})"
    except openai.OpenAIError as exc:  # an error event mid-stream, an unreadable body...
        reason = f"the AI server's reply could not be used ({type(exc).__name__}: {exc})"[:300]
    except Exception as exc:  # a server that is not OpenAI-compatible: never crash the caller
        log.exception("unexpected failure while asking for AI feedback")
        reason = f"the AI server's reply could not be read ({type(exc).__name__})"
    else:
        return FeedbackResult(
            "ok",
            None,
            settings.model,
            sanitise(reply, answer, ids),
            prompt_tokens=getattr(usage, "prompt_tokens", None),
            completion_tokens=getattr(usage, "completion_tokens", None),
            latency_ms=round((time.perf_counter() - started) * 1000),
        )
    log.warning("AI feedback unavailable: %s (model %s)", reason, settings.model)
    return FeedbackResult(
        "error", reason, settings.model, latency_ms=round((time.perf_counter() - started) * 1000)
    )


@functools.lru_cache(maxsize=8)
def _client(api_key: str, base_url: str | None, timeout: float) -> openai.OpenAI:
    """One client (and its connection pool) per configuration, reused across calls. Its own
    retries are off: they honour Retry-After for up to a minute, past any deadline we promise."""
    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)


_RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError)


T = TypeVar("T")


def _with_retries(call: Callable[[], T], retries: int, deadline: float) -> T:
    """Retry rate limits, server errors and dropped connections, waiting as the server asks
    (Retry-After) or backing off, but never past the deadline."""
    for attempt in range(retries + 1):
        try:
            return call()
        except _RETRYABLE as exc:
            wait = _retry_after(exc) or 0.25 * 2**attempt
            if attempt == retries or time.perf_counter() + wait >= deadline:
                raise
            log.info("AI server %s; retrying in %.2f s", type(exc).__name__, wait)
            time.sleep(wait)
    raise AssertionError("unreachable")


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    if response is None:
        return None
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return max(0.0, float(response.headers[header]) * scale)
        except (KeyError, ValueError):
            continue
    return None


def _cause(exc: BaseException) -> str:
    root = exc.__cause__ or exc.__context__ or exc
    return str(root).splitlines()[0][:200] or type(root).__name__


def _complete(
    client: openai.OpenAI, settings: LLMSettings, messages: list[dict[str, str]], ids: list[str]
) -> tuple[str, Any]:
    """Try structured output, then JSON mode, then plain JSON: servers differ in what they take."""
    formats: list[dict[str, Any] | None] = [
        {
            "type": "json_schema",
            "json_schema": {"name": "feedback", "strict": True, "schema": reply_json_schema(ids)},
        },
        {"type": "json_object"},
        None,
    ]
    for response_format in formats:
        try:
            return _call(client, settings, messages, response_format)
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            if response_format is None:
                raise
            kind = response_format["type"]
            log.info(
                "server rejected response_format %s (%s); trying the next", kind, exc.status_code
            )
    raise AssertionError("unreachable")


def _call(
    client: openai.OpenAI,
    settings: LLMSettings,
    messages: list[dict[str, str]],
    response_format: dict[str, Any] | None,
) -> tuple[str, Any]:
    extra: dict[str, Any] = {"response_format": response_format} if response_format else {}
    if settings.stream:
        parts: list[str] = []
        usage = None
        stream = client.chat.completions.create(
            model=settings.model,
            messages=messages,
            temperature=0,
            stream=True,
            stream_options={"include_usage": True},
            **extra,
        )
        for chunk in stream:
            usage = getattr(chunk, "usage", None) or usage
            for choice in chunk.choices:
                if getattr(choice.delta, "refusal", None):
                    raise _Refused(choice.delta.refusal)
                _check_finish(choice.finish_reason)
                parts.append(choice.delta.content or "")
        return "".join(parts), usage
    response = client.chat.completions.create(
        model=settings.model, messages=messages, temperature=0, **extra
    )
    if not response.choices:
        raise _BadReply("no choices in the reply")
    choice = response.choices[0]
    if getattr(choice.message, "refusal", None):
        raise _Refused(choice.message.refusal)
    _check_finish(choice.finish_reason)
    return choice.message.content or "", response.usage


def _check_finish(reason: str | None) -> None:
    if reason == "content_filter":
        raise _Refused("content filter")
    if reason == "length":
        raise _BadReply("the reply was cut off before it ended")


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def _parse_json(content: str) -> Any:
    """JSON, tolerating the code fence some models wrap around it."""
    fenced = _FENCE.match(content)
    try:
        return json.loads(fenced.group(1) if fenced else content)
    except json.JSONDecodeError as exc:
        raise _BadReply(f"{exc.msg} at line {exc.lineno}") from exc
