"""The shapes of the JSON bodies the app accepts (the pages' scripts send them), as pydantic models.

Every JSON endpoint reads its body through `parse_body(Model)`: anything that is not an object of
the right shape (a list, a string, nesting deeper than any page sends, a number where text
belongs, a lone UTF-16 surrogate no database can store, a draft key or version no page makes) is a
`BodyInvalid` naming the field, which the view answers with a 400 before anything reaches a
service or the database. The no-script form posts are checked by models of the same fields."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_lone_surrogates(text: str) -> str:
    """JSON may spell half of a UTF-16 pair ("\\ud800"); Python keeps it, UTF-8 cannot encode
    it, so the database would fail at commit. Refused here, with the field's name."""
    if _SURROGATE.search(text):
        raise ValueError("contains a character that is not valid Unicode (a lone surrogate)")
    return text


Text = Annotated[str, AfterValidator(_no_lone_surrogates)]
# A draft's key is made by the answer page (`crypto.randomUUID()`, or by the server for the
# no-script form); its version is the page's count of its saves, stored in a 32-bit column.
_DRAFT_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")


def _draft_key(key: str) -> str:
    if not _DRAFT_KEY.fullmatch(key):
        raise ValueError("is not a draft key this app makes (1 to 40 letters, digits, - or _)")
    return key


DraftKey = Annotated[str, AfterValidator(_draft_key)]
MAX_DRAFT_VERSION = 2**31 - 1
DraftVersion = Annotated[int, Field(ge=1, le=MAX_DRAFT_VERSION)]


class _Body(BaseModel):
    # Fields a newer or older page adds are ignored; the ones named here must have their shape.
    model_config = ConfigDict(extra="ignore")


class AnswerDraftBody(_Body):
    """An autosave of the answer page (static/js/answer/drafts.js): the page's draft key and the
    version of this save. A page loaded before drafts had keys sends none, and is told to reload
    rather than have each of its saves start a draft of its own."""

    draft_key: DraftKey
    version: DraftVersion
    answer_text: Text = ""
    time_spent_seconds: float | Text | None = None  # lenient: read with `to_int`


class AnswerFormBody(AnswerDraftBody):
    """The no-script "Save draft" and "Submit" posts, as posted: the key the server rendered
    into the form, and the version that post saves as. A form without them (an older page, a
    hand-made post) keeps its text as a draft of its own."""

    draft_key: DraftKey | None = None  # type: ignore[assignment]
    version: DraftVersion = 1


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
    """The first problem, as a person reads it: `version: Input should be greater than ...`."""
    first = error.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"] if not _is_type_tag(part)) or "body"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{field}: {message}"


def _is_type_tag(part: object) -> bool:
    # A union's branches appear in the location as type names ("list[...]", "str", "float").
    return isinstance(part, str) and (part in {"str", "int", "float"} or "[" in part)
