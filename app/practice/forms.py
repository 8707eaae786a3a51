from __future__ import annotations

from collections.abc import Mapping

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.models import MAX_ROW_ID
from app.practice.services import MAX_ANSWER_CHARS, QuestionFilters


def _page_token() -> str:
    """The CSRF token the answer form carries: the one posted, which CSRFProtect has checked
    before any view runs, else a new one for the page being shown."""
    return request.form.get("csrf_token") or generate_csrf()


class AnswerForm(FlaskForm):
    class Meta:
        # CSRFProtect checks every post (form or JSON) before the view runs; the form's own
        # check would only sign a fresh token for a post that is answered with a redirect.
        csrf = False

    csrf_token = HiddenField(default=_page_token)  # for the page and its no-script posts
    # Its length is checked by the service, as stored (CRLF line breaks count once). The page's
    # script keeps and restores the text itself; the browser's own restoring (on Back) would put
    # old text back behind its back, so it is off.
    answer_text = TextAreaField("Your answer", render_kw={"rows": 16, "autocomplete": "off"})
    time_spent_seconds = HiddenField(default="0")
    attempt_id = HiddenField(default="")  # the draft this page edits, once it has one
    base_version = HiddenField(default="")  # the version of that draft the text is based on

    def seconds(self) -> int:
        return to_int(self.time_spent_seconds.data)

    def draft_id(self) -> int | None:
        return row_id(self.attempt_id.data)

    def unconfirmed(self) -> list[str]:
        """The texts of the page's unheard saves, added to the form by its script."""
        return unconfirmed_texts(request.form.getlist(UNCONFIRMED_FIELD))


# The page's script names the texts of its latest saves whose replies never came (any of them
# may have landed): several `unconfirmed_text` fields in a form, a list under that name in an
# autosave (a page loaded before lists sends one string).
UNCONFIRMED_FIELD = "unconfirmed_text"
MAX_UNCONFIRMED = 5


def unconfirmed_texts(values: object) -> list[str]:
    """Up to MAX_UNCONFIRMED texts from untrusted input: a list of strings, or one string."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        return []
    texts = [value for value in values if isinstance(value, str)]
    return [text for text in texts if len(text) <= MAX_ANSWER_CHARS][-MAX_UNCONFIRMED:]


def to_int(value: object) -> int:
    """A whole number from untrusted input; anything else is 0."""
    try:
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return 0


def row_id(value: object) -> int | None:
    """A row id from untrusted input, or None when it cannot be one."""
    number = to_int(value)
    return number if 1 <= number <= MAX_ROW_ID else None


def question_filters(args: Mapping[str, str]) -> QuestionFilters:
    """The question list's filters from its query string; a page that is not a number is 1."""
    return QuestionFilters(
        type=args.get("type") or None,
        difficulty=args.get("difficulty") or None,
        company=args.get("company") or None,
        tag=args.get("tag") or None,
        search=args.get("q") or None,
        page=max(1, to_int(args.get("page") or 1)),
    )


class CompareForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    first = IntegerField(
        "Earlier attempt", validators=[InputRequired(), NumberRange(min=1, max=MAX_ROW_ID)]
    )
    second = IntegerField(
        "Later attempt", validators=[InputRequired(), NumberRange(min=1, max=MAX_ROW_ID)]
    )


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that post."""

    note = HiddenField(validators=[Optional()])


class ShareForm(FlaskForm):
    email = StringField(
        "Your coach's email",
        validators=[InputRequired(), Length(max=254)],
        render_kw={"autocomplete": "email", "type": "email"},
    )
