from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from app.bank.formats import FORMATS, export_format_names


class UploadForm(FlaskForm):
    file = FileField(
        "Bank file",
        validators=[FileRequired("Choose a file to import.")],
        description=(
            "YAML, JSON, CSV, Moodle XML, GIFT, a Markdown file, or a zip of Markdown files."
        ),
    )
    format = SelectField("Format", default="")
    rubric = SelectField(
        "Rubric for questions that name none",
        default="",
        description="Moodle, GIFT and spreadsheet files usually name no rubric.",
    )

    def set_choices(self, rubric_ids: list[str]) -> None:
        self.format.choices = [SelectChoice("", "From the file's name")] + [
            SelectChoice(name, kind.label) for name, kind in sorted(FORMATS.items())
        ]
        self.rubric.choices = [SelectChoice("", "None: every question names its rubric")] + [
            SelectChoice(rubric_id, rubric_id) for rubric_id in rubric_ids
        ]


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download that changes nothing

    format = SelectField(
        "Format",
        choices=[SelectChoice(name, FORMATS[name].label) for name in export_format_names()],
    )
