"""The rubric editor's form view: the draft as fields (WTForms FieldList/FormField, with the
sub-forms as plain `Form`, so CSRF is not nested), and the conversions between the form and the
rubric's content. The YAML stays the draft's one source of truth: the form is read from it and
saved as it."""

from __future__ import annotations

from typing import Any, get_args

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from pm_scoring.rubric import RedFlagSpec

LEVELS = range(5)
DETECTORS = get_args(RedFlagSpec.model_fields["detector"].annotation)


class ConceptForm(Form):
    id = StringField("Concept id")
    tip = StringField("Tip when it is missing")
    phrases = TextAreaField("Phrases (one a line)", render_kw={"rows": 3})
    examples = TextAreaField("Example sentences (one a line)", render_kw={"rows": 3})
    patterns = TextAreaField("Patterns (regular expressions, one a line)", render_kw={"rows": 1})
    weight = FloatField("Weight", default=1.0, validators=[Optional()])


class CriterionForm(Form):
    id = StringField("Criterion id")
    title = StringField("Title")
    weight = FloatField("Weight", validators=[Optional()])
    description = TextAreaField("Description (Markdown)", render_kw={"rows": 2})
    level_0 = TextAreaField("Level 0", render_kw={"rows": 1})
    level_1 = TextAreaField("Level 1", render_kw={"rows": 1})
    level_2 = TextAreaField("Level 2", render_kw={"rows": 1})
    level_3 = TextAreaField("Level 3", render_kw={"rows": 1})
    level_4 = TextAreaField("Level 4", render_kw={"rows": 1})
    full_marks_at = FloatField("Points that reach 4/4", default=3.0, validators=[Optional()])
    one_done_well = SelectField(
        "One idea done well reaches",
        choices=[SelectChoice("", "no level of its own")]
        + [SelectChoice(str(n), f"{n}/4") for n in range(1, 5)],
    )
    what_happened = BooleanField("Part of a story: a plan counts only as a mention")
    looking_back = BooleanField("What a story taught: a sentence of the story counts as a mention")
    cues = StringField("Cues (comma-separated)")
    tip = TextAreaField("Tip", render_kw={"rows": 2})
    follow_up = TextAreaField("Follow-up question when it is weak", render_kw={"rows": 2})
    concepts = FieldList(FormField(ConceptForm), min_entries=0)


class RedFlagForm(Form):
    id = StringField("Flag id")
    title = StringField("Title")
    detector = SelectField("Detector", choices=[SelectChoice(d, d) for d in DETECTORS])
    phrases = TextAreaField("Phrases (one a line)", render_kw={"rows": 2})
    criterion = StringField("Criterion id (missing_criterion)")
    penalty = FloatField("Penalty (points)", validators=[Optional()])
    message = TextAreaField("Message", render_kw={"rows": 2})


class RubricForm(FlaskForm):
    title = StringField("Title")
    description = TextAreaField("Description (Markdown)", render_kw={"rows": 3})
    min_words = FloatField("Words a full answer usually takes", validators=[Optional()])
    require_subject = SelectField(
        "The answer must name the question's subject",
        choices=[
            SelectChoice("", "no"),
            SelectChoice("true", "yes"),
            SelectChoice("title", "yes, from the title"),
        ],
    )
    criteria = FieldList(FormField(CriterionForm), min_entries=0)
    red_flags = FieldList(FormField(RedFlagForm), min_entries=0)
    revision = HiddenField(default="0")


def form_data(content: dict[str, Any]) -> dict[str, Any]:
    """The rubric's content as the form's data."""
    subject = content.get("require_subject")
    return {
        "title": content.get("title", ""),
        "description": content.get("description", ""),
        "min_words": content.get("min_words"),
        "require_subject": "title" if subject == "title" else "true" if subject else "",
        "criteria": [
            {
                **{k: c.get(k) for k in ("id", "title", "weight", "description", "tip")},
                "follow_up": c.get("follow_up") or "",
                **{
                    f"level_{n}": c.get("levels", {}).get(n, c.get("levels", {}).get(str(n), ""))
                    for n in LEVELS
                },
                "full_marks_at": c.get("full_marks_at", 3.0),
                "one_done_well": str(c["one_done_well"]) if c.get("one_done_well") else "",
                "what_happened": bool(c.get("what_happened")),
                "looking_back": bool(c.get("looking_back")),
                "cues": ", ".join(c.get("cues", [])),
                "concepts": [
                    {
                        "id": k.get("id"),
                        "tip": k.get("tip") or "",
                        "phrases": "\n".join(k.get("phrases", [])),
                        "examples": "\n".join(k.get("examples", [])),
                        "patterns": "\n".join(k.get("patterns", [])),
                        "weight": k.get("weight", 1.0),
                    }
                    for k in c.get("concepts", [])
                ],
            }
            for c in content.get("criteria", [])
        ],
        "red_flags": [
            {
                **{k: f.get(k) for k in ("id", "title", "detector", "penalty", "message")},
                "phrases": "\n".join(f.get("phrases", [])),
                "criterion": f.get("criterion") or "",
            }
            for f in content.get("red_flags", [])
        ],
    }


def form_content(form: RubricForm, rubric_id: str, version: int) -> dict[str, Any]:
    """What the form says, as the rubric's content (to be dumped as the draft's YAML)."""
    subject = form.require_subject.data
    return {
        "id": rubric_id,
        "version": version,
        "title": _text(form.title.data),
        "description": _text(form.description.data),
        "min_words": _number(form.min_words.data, whole=True),
        "require_subject": "title" if subject == "title" else subject == "true",
        "criteria": [_criterion(entry.form) for entry in form.criteria],
        "red_flags": [_red_flag(entry.form) for entry in form.red_flags],
    }


def apply_action(content: dict[str, Any], action: str) -> dict[str, Any]:
    """The form's list buttons: add, remove or move a criterion, a concept or a red flag.
    `action` is e.g. "add-criterion", "remove-criterion-2", "up-criterion-1",
    "add-concept-0", "remove-concept-0-3", "add-flag", "remove-flag-1"."""
    verb, _, rest = action.partition("-")
    what, _, where = rest.partition("-")
    at = [int(n) for n in where.split("-") if n.isdigit()]
    criteria, flags = content["criteria"], content["red_flags"]
    blank_concept = {"id": "new-concept", "phrases": [], "examples": [], "weight": 1.0}
    if (verb, what) == ("add", "criterion"):
        criteria.append(
            {
                "id": f"criterion_{len(criteria) + 1}",
                "title": "",
                "weight": 1.0,
                "description": "",
                "levels": {n: "" for n in LEVELS},
                "concepts": [blank_concept],
                "tip": "",
            }
        )
    elif (verb, what) == ("remove", "criterion") and len(at) == 1 and at[0] < len(criteria):
        criteria.pop(at[0])
    elif (verb, what) == ("up", "criterion") and len(at) == 1 and 0 < at[0] < len(criteria):
        criteria[at[0] - 1], criteria[at[0]] = criteria[at[0]], criteria[at[0] - 1]
    elif (verb, what) == ("add", "concept") and len(at) == 1 and at[0] < len(criteria):
        criteria[at[0]]["concepts"].append(dict(blank_concept))
    elif (verb, what) == ("remove", "concept") and len(at) == 2 and at[0] < len(criteria):
        concepts = criteria[at[0]]["concepts"]
        if at[1] < len(concepts):
            concepts.pop(at[1])
    elif (verb, what) == ("add", "flag"):
        flags.append({"id": "new-flag", "title": "", "detector": "phrases", "phrases": [],
                      "penalty": 5.0, "message": ""})  # fmt: skip
    elif (verb, what) == ("remove", "flag") and len(at) == 1 and at[0] < len(flags):
        flags.pop(at[0])
    return content


def field_name(path: str) -> str:
    """A problem's field path as the form field's name: `criteria[1].levels.2` is
    `criteria-1-level_2`, `criteria[0].concepts[3].examples` is `criteria-0-concepts-3-examples`."""
    name = path.replace("[", "-").replace("].", "-").replace("]", "").replace(".", "-")
    return name.replace("-levels-", "-level_")


def _criterion(form: CriterionForm) -> dict[str, Any]:
    levels = {n: _text(getattr(form, f"level_{n}").data) for n in LEVELS}
    criterion: dict[str, Any] = {
        "id": _text(form.id.data),
        "title": _text(form.title.data),
        "weight": _number(form.weight.data),
        "description": _text(form.description.data),
        "levels": {n: text for n, text in levels.items() if text or n in (0, 2, 4)},
        "full_marks_at": _number(form.full_marks_at.data),
        "concepts": [_concept(entry.form) for entry in form.concepts],
        "cues": [c.strip() for c in (form.cues.data or "").split(",") if c.strip()],
        "tip": _text(form.tip.data),
    }
    if form.one_done_well.data:
        criterion["one_done_well"] = int(form.one_done_well.data)
    if form.what_happened.data:
        criterion["what_happened"] = True
    if form.looking_back.data:
        criterion["looking_back"] = True
    if _text(form.follow_up.data):
        criterion["follow_up"] = _text(form.follow_up.data)
    return {k: v for k, v in criterion.items() if v is not None}


def _concept(form: ConceptForm) -> dict[str, Any]:
    concept: dict[str, Any] = {
        "id": _text(form.id.data),
        "phrases": _lines(form.phrases.data),
        "examples": _lines(form.examples.data),
        "patterns": _lines(form.patterns.data),
        "weight": _number(form.weight.data) if form.weight.data is not None else 1.0,
    }
    if _text(form.tip.data):
        concept["tip"] = _text(form.tip.data)
    return concept


def _red_flag(form: RedFlagForm) -> dict[str, Any]:
    flag: dict[str, Any] = {
        "id": _text(form.id.data),
        "title": _text(form.title.data),
        "detector": form.detector.data,
        "phrases": _lines(form.phrases.data),
        "penalty": _number(form.penalty.data),
        "message": _text(form.message.data),
    }
    if _text(form.criterion.data):
        flag["criterion"] = _text(form.criterion.data)
    return {k: v for k, v in flag.items() if v is not None}


def _text(value: str | None) -> str:
    return (value or "").strip()


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _number(value: float | None, whole: bool = False) -> float | int | None:
    if value is None:
        return None
    return int(value) if whole else float(value)


def form_errors(form: RubricForm) -> dict[str, str]:
    """What the fields themselves refused (a weight that is not a number), by field name."""
    errors: dict[str, str] = {}

    def walk(fields) -> None:
        for field in fields:
            if isinstance(field, FieldList):
                walk(field.entries)
            elif isinstance(field, FormField):
                walk(field.form)
            elif field.errors and field.name != "csrf_token":
                errors[field.name] = "; ".join(str(e) for e in field.errors)

    walk(form)
    return errors
