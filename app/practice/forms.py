from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from .services import MAX_ANSWER_CHARS


class AnswerForm(FlaskForm):
    answer_text = TextAreaField(
        "Your answer", validators=[Length(max=MAX_ANSWER_CHARS)], render_kw={"rows": 16}
    )
    time_spent_seconds = HiddenField(default="0")
    attempt_id = HiddenField(default="")  # the draft this page edits, once it has one

    def seconds(self) -> int:
        return to_int(self.time_spent_seconds.data)

    def draft_id(self) -> int | None:
        return to_int(self.attempt_id.data) or None


def to_int(value: object) -> int:
    """A whole number from untrusted input; anything else is 0."""
    try:
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return 0


class CompareForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    first = IntegerField("Earlier attempt", validators=[InputRequired(), NumberRange(min=1)])
    second = IntegerField("Later attempt", validators=[InputRequired(), NumberRange(min=1)])


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that post."""

    note = HiddenField(validators=[Optional()])
