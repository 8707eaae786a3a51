"""The shapes of the JSON bodies the app accepts (the pages' scripts send them), as pydantic models.

Every JSON endpoint reads its body through `parse_body(Model)`: anything that is not an object of
the right shape (a list, a string, nesting deeper than any page sends, a number where text
belongs, a lone UTF-16 surrogate no database can store, an impossible draft version) is a
`BodyInvalid` naming the field, which the view answers with a 400 before anything reaches a
service or the database. The no-script form posts are checked by the same models."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_lone_surrogates(text: str) -> str:
    """JSON may spell half of a UTF-16 pair ("\\ud800"); Python keeps it, UTF-8 cannot encode
    it, so the database would fail at commit. Refused here, with the field's name."""
    if _SURROGATE.search(text):
        raise ValueError("contains a character that is not valid Unicode (a lone surrogate)")
    return text


def _draft_version(text: str) -> str:
    """A draft's version is the time it was saved (`draft_version_at`): it must be a time any
    row can have, or the comparison with the stored one would overflow."""
    if not text:
        return text
    try:
        parsed = datetime.fromisoformat(text)
        parsed = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise ValueError("is not a draft version this app gave out") from None
    if not 1970 <= parsed.year <= 9998:
        raise ValueError("is not a draft version this app gave out")
    return text


Text = Annotated[str, AfterValidator(_no_lone_surrogates)]
DraftVersion = Annotated[str, Field(max_length=64), AfterValidator(_draft_version)]


class _Body(BaseModel):
    # Fields a newer or older page adds are ignored; the ones named here must have their shape.
    model_config = ConfigDict(extra="ignore")


class AnswerDraftBody(_Body):
    """An autosave of the answer page (static/js/answer.js), or its no-script "Save draft" and
    "Submit" forms. Numbers stay lenient (the views read them with `to_int`/`row_id`), as a page
    loaded before an upgrade may send them as strings."""

    answer_text: Text = ""
    time_spent_seconds: float | Text | None = None
    attempt_id: int | Text | None = None
    base_version: DraftVersion | None = None
    unconfirmed_text: list[Text] | Text | None = None


class RubricDraftBody(_Body):
    """An autosave of the rubric editor (static/js/rubric-editor.js). A revision the page could
    not read arrives as null: it can match no draft, so the save is refused as stale."""

    text: Text
    revision: int | None = None


class MarkdownPreviewBody(_Body):
    """The question editor's live Markdown preview (static/js/question-form.js)."""

    text: Text


class BodyInvalid(ValueError):
    """A request body of the wrong shape: `reason` says what, naming the field, for the 400."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


M = TypeVar("M", bound=BaseModel)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(body: bytes | str, model: type[M]) -> M:
    """`body`, a JSON document, as `model`, or `BodyInvalid`."""
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise BodyInvalid("The JSON is nested too deeply.") from None
    except ValueError:  # not JSON, not UTF-8, NaN/Infinity
        raise BodyInvalid("The body is not valid JSON.") from None
    return validate(data, model)


def validate(data: Any, model: type[M]) -> M:
    """Plain values (decoded JSON, or a form's fields) as `model`, or `BodyInvalid`."""
    if not isinstance(data, dict):
        raise BodyInvalid("The body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BodyInvalid(describe(error)) from None
    except RecursionError:  # a list of lists... deeper than the validator goes
        raise BodyInvalid("The JSON is nested too deeply.") from None


def describe(error: ValidationError) -> str:
    """The first problem, as a person reads it: `base_version: is not a draft version ...`."""
    first = error.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"] if not _is_type_tag(part)) or "body"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{field}: {message}"


def _is_type_tag(part: object) -> bool:
    # A union's branches appear in the location as type names ("list[...]", "str", "float").
    return isinstance(part, str) and (part in {"str", "int", "float"} or "[" in part)
