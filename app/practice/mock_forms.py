"""The mock interview's forms, and the shape of its autosave."""

from __future__ import annotations

from typing import Annotated

from flask_wtf import FlaskForm
from pydantic import BaseModel, ConfigDict, Field
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import Optional

from app.models import MAX_ROW_ID
from app.schemas import Text

from .mock import MAX_QUESTIONS, MIN_QUESTIONS


class MockStartForm(FlaskForm):
    """Start by filters (`mode` "filters") or with a ready-made loop (`mode` "loop"). The
    service checks the values, so each refusal names the field and why."""

    mode = HiddenField(default="filters")
    count = IntegerField(
        "How many questions",
        default=4,
        validators=[Optional()],
        description=f"{MIN_QUESTIONS} to {MAX_QUESTIONS}.",
        render_kw={"min": MIN_QUESTIONS, "max": MAX_QUESTIONS, "type": "number"},
    )
    type = SelectField("Type", choices=[], validate_choice=False)
    difficulty = SelectField("Difficulty", choices=[], validate_choice=False)
    company = SelectField("Company", choices=[], validate_choice=False)
    loop = SelectField("Loop", choices=[], validate_choice=False)


class MockAnswerForm(FlaskForm):
    """The answer to the question being asked: "Save", "Next question" and "End interview"
    all post it. The page's script keeps `version` and `seconds_used` up to date; without the
    script `seconds_used` stays empty and the server counts the time itself."""

    answer_text = TextAreaField("Your answer", render_kw={"rows": 16, "autocomplete": "off"})
    position = HiddenField()
    version = HiddenField()
    seconds_used = HiddenField(default="")


class MockAnswerBody(BaseModel):
    """An autosave from static/js/mock.js, or the fields of `MockAnswerForm` as posted."""

    model_config = ConfigDict(extra="ignore")  # fields a newer or older page adds

    position: int = Field(ge=1, le=MAX_QUESTIONS)
    version: int = Field(ge=0, le=MAX_ROW_ID)
    answer_text: Text = ""
    seconds_used: Annotated[int, Field(ge=0, le=MAX_ROW_ID)] | None = None
