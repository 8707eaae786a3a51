"""The question editor's form, and the conversions between it and a question's values (as a
bank file holds them). The fields are named as `QuestionSpec`'s, so each problem the service
finds lands beside its field. The fields do no checking of their own: `QuestionSpec` does all
of it, so the editor accepts exactly what a bank file accepts."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app.bank.formats import Difficulty, QuestionType, readable
from app.models import Question

NONE_CHOSEN = SelectChoice("", "(none)")


def _lines(value: str | None) -> list[str]:
    return (value or "").replace("\r\n", "\n").split("\n")


def _text(value: str | None) -> str | None:
    """A text area's text with the browser's CRLFs as newlines; blank is None (not given)."""
    text = "\n".join(_lines(value))
    return text if text.strip() else None


def _items(value: str | None) -> list[str]:
    """The items of "a, b, a" are ["a", "b"]: comma-separated, trimmed, each once."""
    return list(dict.fromkeys(item.strip() for item in (value or "").split(",") if item.strip()))


class QuestionForm(FlaskForm):
    title = StringField("Title")
    slug = StringField(
        "Slug",
        description="Lowercase letters, digits and hyphens, as in its address; "
        "left blank, it is made from the title. It cannot change later.",
    )
    prompt = TextAreaField(
        "Prompt (Markdown)", render_kw={"rows": 8, "data-preview": "prompt-preview"}
    )
    rubric = SelectField("Rubric", validate_choice=False)
    type = SelectField(
        "Type",
        choices=[NONE_CHOSEN] + [SelectChoice(t.value, readable(t)) for t in QuestionType],
        validate_choice=False,
    )
    difficulty = SelectField(
        "Difficulty",
        choices=[NONE_CHOSEN] + [SelectChoice(d.value, readable(d)) for d in Difficulty],
        validate_choice=False,
    )
    companies = StringField("Companies", description="Comma-separated, e.g. Google, Stripe.")
    tags = StringField("Tags", description="Comma-separated, e.g. prioritization, b2b.")
    hints = TextAreaField("Hints", description="One a line.", render_kw={"rows": 4})
    time_limit_minutes = StringField(
        "Time limit (minutes)",
        description="Blank for no limit.",
        render_kw={"inputmode": "numeric", "size": 4},
    )
    model_answer = TextAreaField(
        "Model answer (Markdown)",
        render_kw={"rows": 8, "data-preview": "model-answer-preview"},
    )
    answer_template = TextAreaField(
        "Answer template",
        description="Text the answer box starts with, such as headings to fill in.",
        render_kw={"rows": 4},
    )
    updated_at = HiddenField()  # the version the editor was loaded with

    def set_rubric_choices(self, rubrics: list[tuple[str, str]]) -> None:
        choices = [
            SelectChoice(rubric_id, f"{title} ({rubric_id})") for rubric_id, title in rubrics
        ]
        current = self.rubric.data
        if current and current not in {rubric_id for rubric_id, _ in rubrics}:
            choices.append(SelectChoice(current, f"{current} (not published)"))
        self.rubric.choices = [SelectChoice("", "Choose a rubric"), *choices]

    def question_values(self) -> dict[str, Any]:
        """What the form says, as values for `create_question` or `update_question`."""
        return {
            "slug": (self.slug.data or "").strip() if self.slug else "",  # none once created
            "title": self.title.data or "",
            "prompt": _text(self.prompt.data) or "",
            "rubric": self.rubric.data or "",
            "type": self.type.data or None,
            "difficulty": self.difficulty.data or None,
            "companies": _items(self.companies.data),
            "tags": _items(self.tags.data),
            "hints": [line.strip() for line in _lines(self.hints.data) if line.strip()],
            "time_limit_minutes": (self.time_limit_minutes.data or "").strip() or None,
            "model_answer": _text(self.model_answer.data),
            "answer_template": _text(self.answer_template.data),
        }

    def show_problems(self, problems: dict[str, list[str]]) -> list[str]:
        """Put each problem beside its field; returns those no field of this form can show."""
        left = []
        for name, messages in problems.items():
            field: Field | None = self._fields.get(name)
            if field is None:
                left.extend(f"{name}: {message}" for message in messages)
            else:
                field.errors = list(messages)
        return left


def form_data(question: Question) -> dict[str, Any]:
    """A stored question as the form's data."""
    return {
        "title": question.title,
        "prompt": question.prompt,
        "rubric": question.rubric_id,
        "type": question.type or "",
        "difficulty": question.difficulty or "",
        "companies": ", ".join(question.companies),
        "tags": ", ".join(question.tags),
        "hints": "\n".join(question.hints),
        "time_limit_minutes": str(question.time_limit_minutes or ""),
        "model_answer": question.model_answer or "",
        "answer_template": question.answer_template or "",
    }
