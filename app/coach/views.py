"""Thin views for coaches (and admins): the rubric editor, calibration and rescoring (the review
of shared answers is in reviews.py). Every route is role-checked by the blueprint's one rule
below, so no view can forget it."""

from __future__ import annotations

import yaml
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.audit import record
from app.auth.access import COACHES, role_required
from app.extensions import db
from app.feedback.tasks import tasks
from app.rubrics.calibration import (
    SampleInvalid,
    add_sample,
    calibrate_version,
    delete_sample,
)
from app.rubrics.rescoring import (
    RescoringNotAllowed,
    impact_of,
    rescoring_job,
    start_rescoring,
)
from app.rubrics.services import (
    DraftChanged,
    DraftInvalid,
    RubricNotFound,
    all_questions,
    assign_rubric,
    check_rubric_text,
    create_draft_from_text,
    create_rubric,
    diff_versions,
    discard_draft,
    get_draft,
    publish_draft,
    retire_version,
    rubric_page,
    rubrics_for_editors,
    save_draft,
    start_draft,
)
from app.schemas import BodyInvalid, RubricDraftBody, parse_json
from pm_scoring.sourcefile import Problem

from . import bp
from .forms import (
    AssignForm,
    ButtonForm,
    DiffForm,
    DraftForm,
    ImportForm,
    NewRubricForm,
    PublishForm,
    SampleForm,
    question_choices,
    require_button,
    version_choices,
)
from .rubric_form import (
    RubricForm,
    apply_action,
    field_name,
    form_content,
    form_data,
    form_errors,
)


@bp.before_request
@role_required(*COACHES)
def _editors_only() -> None:
    """Every coach page, GET or POST: log in first, then coaches and admins only (others 404)."""


@bp.get("/")
def index() -> str:
    rows = rubrics_for_editors(db.request_session())
    return render_template(
        "coach/index.html",
        rows=rows,
        import_form=ImportForm(),
        new_form=NewRubricForm(),
        button=ButtonForm(),
    )


@bp.get("/rubrics/<rubric_id>")
def rubric(rubric_id: str, sample_form: SampleForm | None = None) -> str:
    page = _page(rubric_id)
    form = DiffForm(request.args)
    numbers = [v.version for v in page.versions]
    form.old.choices = form.new.choices = version_choices(numbers)
    sample_form = sample_form or SampleForm()
    sample_form.question.choices = question_choices(page.questions)
    calibration = calibrate_version(db.request_session(), page.row)
    return render_template(
        "coach/rubric.html",
        page=page,
        diff_form=form,
        button=ButtonForm(),
        sample_form=sample_form,
        calibration=calibration,
        assign_form=_assign_form(page),
    )


@bp.post("/rubrics/<rubric_id>/samples")
def add_rubric_sample(rubric_id: str) -> Response | tuple[str, int]:
    page = _page(rubric_id)
    form = SampleForm()
    form.question.choices = question_choices(page.questions)
    if form.validate_on_submit():
        try:
            add_sample(
                db.request_session(),
                rubric_id,
                form.text.data or "",
                form.level.data,
                form.question.data or None,
                form.note.data or "",
                current_user.id,
            )
        except SampleInvalid as error:
            getattr(form, error.field).errors = [str(error)]
        else:
            flash("Sample added: every version of this rubric is now checked against it.")
            return redirect(url_for("coach.rubric", rubric_id=rubric_id) + "#samples")
    return rubric(rubric_id, sample_form=form), 422


@bp.post("/rubrics/<rubric_id>/samples/<id:sample_id>/delete")
def delete_rubric_sample(rubric_id: str, sample_id: int) -> Response:
    require_button()
    if not delete_sample(db.request_session(), rubric_id, sample_id):
        abort(404)
    flash("Sample removed.")
    return redirect(url_for("coach.rubric", rubric_id=rubric_id) + "#samples")


@bp.get("/rubrics/<rubric_id>/diff")
def diff(rubric_id: str) -> str:
    page = _page(rubric_id)
    by_number = {v.version: v for v in page.versions}
    form = DiffForm(request.args)
    form.old.choices = form.new.choices = version_choices(list(by_number))
    if not form.validate() or form.old.data not in by_number or form.new.data not in by_number:
        abort(404)
    old, new = by_number[form.old.data], by_number[form.new.data]
    changes = diff_versions(old.content, new.content)
    return render_template(
        "coach/diff.html", page=page, old=old, new=new, changes=changes, diff_form=form
    )


@bp.post("/rubrics/<rubric_id>/draft")
def start(rubric_id: str) -> Response:
    require_button()
    try:
        draft = start_draft(db.request_session(), rubric_id)
    except RubricNotFound:
        abort(404)
    except DraftChanged:
        flash("Another editor started a draft of this rubric just now: open it below.", "error")
        return redirect(url_for("coach.rubric", rubric_id=rubric_id))
    return redirect(url_for("coach.edit", draft_id=draft.id))


@bp.post("/rubrics/<rubric_id>/v<id:version>/retire")
def retire(rubric_id: str, version: int) -> Response:
    require_button()
    session = db.request_session()
    try:
        retire_version(session, rubric_id, version)
    except RubricNotFound:
        abort(404)
    except DraftInvalid as error:
        flash(str(error), "error")
    else:
        record(session, current_user.id, "rubric.retire", f"{rubric_id} v{version}")
        flash(f"Version {version} is retired; it stays readable for the scores it gave.", "success")
    return redirect(url_for("coach.rubric", rubric_id=rubric_id))


@bp.post("/import")
def import_rubric() -> Response | tuple[str, int]:
    form = ImportForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data
    text = upload.read().decode("utf-8", errors="replace") if upload else form.text.data or ""
    try:
        draft = create_draft_from_text(db.request_session(), text)
    except DraftChanged:
        flash("Another editor started a draft of this rubric just now; import again.", "error")
        return redirect(url_for("coach.index"))
    except DraftInvalid as error:
        rows = rubrics_for_editors(db.request_session())
        return render_template(
            "coach/index.html",
            rows=rows,
            import_form=form,
            new_form=NewRubricForm(),
            button=ButtonForm(),
            problems=error.problems,
        ), 422
    flash(f"Imported as a draft of {draft.rubric_id} v{draft.version}: review it, then publish.")
    return redirect(url_for("coach.edit", draft_id=draft.id))


@bp.get("/drafts/<id:draft_id>")
def edit(draft_id: int) -> str:
    draft = _draft(draft_id)
    form = DraftForm(text=draft.source_text, revision=str(draft.revision))
    rubric, problems = check_rubric_text(draft.source_text or "", draft.rubric_id)
    return render_template(
        "coach/edit.html",
        draft=draft,
        form=form,
        problems=problems,
        content=draft.content if rubric else None,
        calibration=calibrate_version(db.request_session(), draft) if rubric else None,
        publish_form=PublishForm(),
        button=ButtonForm(),
    )


@bp.post("/drafts/<id:draft_id>")
def save(draft_id: int) -> Response | tuple[Response | str, int]:
    """Autosave (JSON from the editor's script: the problems and a fresh preview come back) or
    the no-script "Save draft" button."""
    if request.is_json:
        try:
            body = parse_json(request.get_data(), RubricDraftBody)
        except BodyInvalid as invalid:
            return jsonify(error=f"Not saved: {invalid.reason}"), 400
        text, revision = body.text, -1 if body.revision is None else body.revision
    else:
        form = DraftForm()
        if not form.validate_on_submit():
            abort(400)
        text, revision = form.text.data or "", form.base_revision()
    session = db.request_session()
    try:
        draft, problems = save_draft(session, draft_id, text, revision)
    except RubricNotFound:
        abort(404)
    except DraftChanged:
        message = "This draft was saved from another tab or by another coach: reload to see it."
        if request.is_json:
            return jsonify(error=message), 409
        flash(message, "error")
        return redirect(url_for("coach.edit", draft_id=draft_id)), 409
    except DraftInvalid as error:
        if request.is_json:
            return jsonify(error=error.problems[0].message), 413
        flash(error.problems[0].message, "error")
        return redirect(url_for("coach.edit", draft_id=draft_id)), 413
    if not request.is_json:
        flash(
            "Draft saved." if not problems else "Draft saved; fix the problems before publishing."
        )
        return redirect(url_for("coach.edit", draft_id=draft_id))
    calibration = None if problems else calibrate_version(session, draft)
    preview = render_template(
        "coach/_preview.html", content=draft.content, problems=problems, calibration=calibration
    )
    return jsonify(
        revision=draft.revision,
        problems=[{"line": p.line, "field": p.field, "message": p.message} for p in problems],
        preview=preview,
    )


@bp.post("/drafts/<id:draft_id>/publish")
def publish(draft_id: int) -> Response | tuple[str, int]:
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    session = db.request_session()
    draft = _draft(draft_id)
    if form.confirm.data != "yes" and not check_rubric_text(draft.source_text or "")[1]:
        calibration = calibrate_version(session, draft)
        if calibration.agreement_falls:  # the samples say this version is worse: ask first
            return render_template(
                "coach/confirm_publish.html", draft=draft, calibration=calibration, form=form
            ), 409
    try:
        row = publish_draft(session, draft_id)
    except RubricNotFound:
        abort(404)
    except DraftInvalid as error:
        flash(f"Not published: {len(error.problems)} problem(s) to fix first.", "error")
        return redirect(url_for("coach.edit", draft_id=draft_id))
    record(session, current_user.id, "rubric.publish", f"{row.rubric_id} v{row.version}")
    flash(f"Published {row.title} v{row.version}: new answers are scored against it.", "success")
    return redirect(url_for("rubrics.show", rubric_id=row.rubric_id, version=row.version))


@bp.post("/drafts/<id:draft_id>/discard")
def discard(draft_id: int) -> Response:
    require_button()
    try:
        rubric_id = discard_draft(db.request_session(), draft_id)
    except RubricNotFound:
        abort(404)
    flash("Draft discarded.")
    return redirect(url_for("coach.index") + f"#rubric-{rubric_id}")


def _page(rubric_id: str, version: int | None = None):
    try:
        return rubric_page(db.request_session(), rubric_id, version, with_drafts=True)
    except RubricNotFound:
        abort(404)


def _draft(draft_id: int):
    try:
        return get_draft(db.request_session(), draft_id)
    except RubricNotFound:
        abort(404)


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return -1


@bp.get("/drafts/<id:draft_id>/impact")
def impact(draft_id: int) -> str:
    draft = _draft(draft_id)
    return render_template(
        "coach/impact.html", draft=draft, impact=impact_of(db.request_session(), draft)
    )


@bp.post("/rubrics/<rubric_id>/v<id:version>/rescore")
def rescore(rubric_id: str, version: int) -> Response:
    require_button()
    session = db.request_session()
    page = _page(rubric_id, version)
    try:
        job = start_rescoring(session, page.row, current_user.id)
    except RescoringNotAllowed as error:
        flash(str(error), "error")
        return redirect(url_for("coach.rubric", rubric_id=rubric_id))
    tasks.enqueue_rescoring(job.id)
    return redirect(url_for("coach.rescoring", job_id=job.id))


@bp.get("/rescorings/<id:job_id>")
def rescoring(job_id: int) -> str:
    job, row = _job(job_id)
    return render_template("coach/rescoring.html", job=job, row=row)


@bp.get("/rescorings/<id:job_id>.json")
def rescoring_progress(job_id: int) -> Response:
    job, _ = _job(job_id)
    return jsonify(
        status=job.status, total=job.total, done=job.done, changed=job.changed, error=job.error
    )


def _job(job_id: int):
    found = rescoring_job(db.request_session(), job_id)
    if found is None:
        abort(404)
    return found


@bp.get("/drafts/<id:draft_id>/form")
def edit_form(draft_id: int) -> Response | str:
    draft = _draft(draft_id)
    if check_rubric_text(draft.source_text or "", draft.rubric_id)[1]:
        flash("The YAML has problems: fix them here before using the form.", "error")
        return redirect(url_for("coach.edit", draft_id=draft_id))
    form = RubricForm(data={**form_data(draft.content), "revision": str(draft.revision)})
    calibration = calibrate_version(db.request_session(), draft)
    return render_template(
        "coach/form.html", draft=draft, form=form, problems=[], calibration=calibration
    )


@bp.post("/drafts/<id:draft_id>/form")
def save_form(draft_id: int) -> Response | tuple[Response | str, int]:
    """The form, saved as the draft's YAML: by its Save button, by a list button (add, remove
    or move a criterion, concept or red flag), or by the page's script as the coach types."""
    draft = _draft(draft_id)
    form = RubricForm()
    as_you_type = request.headers.get("X-Requested-With") == "fetch"
    if not form.validate_on_submit():  # a number that is not one: say so, save nothing yet
        errors = form_errors(form)
        if as_you_type:
            return jsonify(
                revision=draft.revision,
                problems=[{"field": name, "message": text} for name, text in errors.items()],
            )
        problems = [Problem("form", None, name, text) for name, text in errors.items()]
        return render_template(
            "coach/form.html", draft=draft, form=form, problems=problems, errors=errors
        ), 422
    content = form_content(form, draft.rubric_id, draft.version)
    action = request.form.get("action", "")
    if action:
        content = apply_action(content, action)
    text = yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=100)
    try:
        draft, problems = save_draft(db.request_session(), draft_id, text, _int(form.revision.data))
    except DraftChanged:
        message = "This draft was saved from another tab or by another coach: reload to see it."
        if as_you_type:
            return jsonify(error=message), 409
        flash(message, "error")
        return redirect(url_for("coach.edit_form", draft_id=draft_id)), 409
    except DraftInvalid as error:
        return jsonify(error=error.problems[0].message), 413
    if as_you_type:
        calibration = None if problems else calibrate_version(db.request_session(), draft)
        preview = render_template(
            "coach/_preview.html", content=draft.content, problems=[], calibration=calibration
        )
        return jsonify(
            revision=draft.revision,
            problems=[{"field": field_name(p.field or ""), "message": p.message} for p in problems],
            preview=preview,
        )
    if problems or action:
        fresh = RubricForm(
            formdata=None, data={**form_data(content), "revision": str(draft.revision)}
        )
        errors = {field_name(p.field or ""): p.message for p in problems}
        return render_template(
            "coach/form.html", draft=draft, form=fresh, problems=problems, errors=errors
        ), (422 if problems else 200)
    flash("Draft saved.", "success")
    return redirect(url_for("coach.edit_form", draft_id=draft_id))


@bp.post("/rubrics/new")
def new_rubric() -> Response:
    form = NewRubricForm()
    if not form.validate_on_submit():
        flash("Give the rubric an id of 80 characters at most and a title.", "error")
        return redirect(url_for("coach.index") + "#new")
    try:
        draft = create_rubric(
            db.request_session(), form.rubric_id.data or "", form.title.data or ""
        )
    except DraftInvalid as error:
        flash(
            f"Not created: {error.problems[0].field or 'rubric'}: {error.problems[0].message}",
            "error",
        )
        return redirect(url_for("coach.index") + "#new")
    flash("A new rubric, as a draft: fill it in, then publish it.", "success")
    return redirect(url_for("coach.edit_form", draft_id=draft.id))


@bp.post("/rubrics/<rubric_id>/questions")
def assign(rubric_id: str) -> Response:
    form = AssignForm()
    form.question.choices = [
        SelectChoice(q.slug, q.title) for q in all_questions(db.request_session())
    ]
    if not form.validate_on_submit():
        flash("Choose one of the questions.", "error")
        return redirect(url_for("coach.rubric", rubric_id=rubric_id) + "#questions")
    try:
        question = assign_rubric(
            db.request_session(), form.question.data, rubric_id, current_user.id
        )
    except RubricNotFound:
        abort(404)
    except DraftInvalid as error:
        flash(f"Not assigned: {error.problems[0].message}.", "error")
    else:
        flash(f"{question.title} is now scored against this rubric.", "success")
    return redirect(url_for("coach.rubric", rubric_id=rubric_id) + "#questions")


def _assign_form(page) -> AssignForm:
    form = AssignForm()
    using = {q.slug for q in page.questions}
    form.question.choices = [
        SelectChoice(q.slug, f"{q.title} (now {q.rubric_id})")
        for q in all_questions(db.request_session())
        if q.slug not in using
    ]
    return form
