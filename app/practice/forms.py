from __future__ import annotations

from collections.abc import Mapping

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.models import MAX_ROW_ID
from app.practice.services import QuestionFilters


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
    # The draft this page edits (its key, made by the page's script or, for the no-script form,
    # by the server) and the version a post saves it as: one more than the page was given, so it
    # lands only if nothing newer was saved meanwhile. The script keeps both up to date. A key
    # is made only for a page being shown (not for every post): see `_answer_page`.
    draft_key = HiddenField()
    version = HiddenField(default="1")


def to_int(value: object) -> int:
    """A whole number from untrusted input; anything else is 0."""
    if value is None:  # a field not posted: the common case, without raising and catching
        return 0
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
    """The compare page's query: two attempts (in any order: the earlier is shown first), or a
    question (or one attempt) whose answers the chooser lists."""

    class Meta:
        csrf = False  # a GET form that only reads

    question = StringField("Question", validators=[Optional(), Length(max=200)])
    first = IntegerField("One attempt", validators=[Optional()])
    second = IntegerField("Another attempt", validators=[Optional()])

    def out_of_range(self) -> bool:
        """An id no row can have: no such attempt (a 404), like any other missing one."""
        return any(
            f.data is not None and not 1 <= f.data <= MAX_ROW_ID for f in (self.first, self.second)
        )

    def attempt_ids(self) -> tuple[int | None, int | None]:
        return self.first.data, self.second.data


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that post."""

    note = HiddenField(validators=[Optional()])


class ShareForm(FlaskForm):
    email = StringField(
        "Your coach's email",
        validators=[InputRequired(), Length(max=254)],
        render_kw={"autocomplete": "email", "type": "email"},
    )


class WeeklyGoalForm(FlaskForm):
    goal = IntegerField(
        "Answers a week",
        validators=[
            InputRequired("Enter how many answers a week you aim for, from 1 to 50."),
            NumberRange(min=1, max=50, message="A weekly goal is from 1 to 50 answers."),
        ],
        render_kw={"min": 1, "max": 50, "inputmode": "numeric"},
    )
