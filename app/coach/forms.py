from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.practice.forms import to_int

LEVEL_NAMES = ("poor", "weak", "adequate", "strong", "exceptional")


class DraftForm(FlaskForm):
    """The rubric editor: the draft's YAML, and the revision it was loaded at."""

    text = TextAreaField(
        "Rubric (YAML)", render_kw={"rows": 30, "spellcheck": "false", "autocomplete": "off"}
    )
    revision = HiddenField(default="0")

    def base_revision(self) -> int:
        return to_int(self.revision.data)


class ImportForm(FlaskForm):
    """A rubric file, uploaded or pasted: it becomes a draft."""

    file = FileField("A rubric file (.yaml)")
    text = TextAreaField("Or paste its YAML", render_kw={"rows": 12, "spellcheck": "false"})


class DiffForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    old = SelectField("From version", coerce=int)
    new = SelectField("To version", coerce=int)


class ButtonForm(FlaskForm):
    """A button that changes something (publish, retire, discard, start a draft): CSRF only."""


def require_button() -> None:
    """A button's form must come with its CSRF token, or the request is refused."""
    if not ButtonForm().validate_on_submit():
        abort(400)


class SampleForm(FlaskForm):
    """A sample answer and the level the coach would give it."""

    text = TextAreaField("Sample answer", render_kw={"rows": 8})
    level = SelectField(
        "Your level",
        coerce=int,
        choices=[SelectChoice(str(n), f"{n} - {name}") for n, name in enumerate(LEVEL_NAMES, 1)],
    )
    question = SelectField("Question it answers (optional)")
    note = StringField("Note (optional)", validators=[Length(max=200)])


class PublishForm(FlaskForm):
    confirm = HiddenField(default="")  # "yes" once the coach has seen that agreement falls


def version_choices(numbers: list[int]) -> list[SelectChoice]:
    return [SelectChoice(str(n), f"v{n}") for n in numbers]


def question_choices(questions: list) -> list[SelectChoice]:
    return [SelectChoice("", "None"), *(SelectChoice(q.slug, q.title) for q in questions)]


class CommentForm(FlaskForm):
    """A comment on the passage the coach selected (start/end, set by the page's script), or,
    with no passage, an overall note."""

    body = TextAreaField("Your comment", render_kw={"rows": 3})
    start = HiddenField(default="")
    end = HiddenField(default="")

    def span(self) -> tuple[int | None, int | None]:
        if not (self.start.data or "").strip() and not (self.end.data or "").strip():
            return None, None
        return to_int(self.start.data), to_int(self.end.data)


class OverrideForm(FlaskForm):
    criterion = SelectField("Criterion", validate_choice=False)  # the service checks it
    level = SelectField(
        "Your level", coerce=int, choices=[SelectChoice(str(n), f"{n}/4") for n in range(5)]
    )
    reason = TextAreaField("Why (the candidate sees this)", render_kw={"rows": 2})


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    candidate = StringField("Candidate's email")
    question = SelectField("Question")


class SampleFromAnswerForm(FlaskForm):
    """Keep a shared answer as a calibration sample of its rubric, with the coach's level."""

    level = SelectField(
        "Your level for the whole answer",
        coerce=int,
        choices=[SelectChoice(str(n), f"{n} - {name}") for n, name in enumerate(LEVEL_NAMES, 1)],
    )


class NewRubricForm(FlaskForm):
    rubric_id = StringField(
        "Id (lower case, with hyphens: conflict-resolution)", validators=[Length(max=80)]
    )
    title = StringField("Title", validators=[Length(max=200)])


class AssignForm(FlaskForm):
    question = SelectField("Question")
