from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, TextAreaField

from app.practice.forms import to_int


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
