"""Admins import question banks (upload, preview, then apply) and export them."""

from __future__ import annotations

from pathlib import PurePath

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.bank.formats import FORMATS, write_bank
from app.bank.importer import ImportPlan, known_rubrics
from app.bank.service import export_questions
from app.bank.uploads import (
    ImportNotFound,
    ImportNotPending,
    apply_upload,
    claim_for_apply,
    get_import,
    import_progress,
    preview_pending,
    preview_upload,
    recent_imports,
)
from app.extensions import db
from app.feedback.tasks import tasks
from app.models import ImportStatus
from pm_scoring import SourceError

from . import bp
from .bank_forms import ExportForm, UploadForm


def _bank_page(form: UploadForm, plan: ImportPlan | None = None, status: int = 200):
    session = db.request_session()
    return render_template(
        "admin/bank.html",
        form=form,
        export_form=ExportForm(formdata=None),
        refused=plan,
        imports=recent_imports(session),
    ), status


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.set_choices(sorted(known_rubrics(db.request_session())))
    return form


@bp.get("/bank")
def bank():
    return _bank_page(_upload_form())


@bp.post("/bank/import")
def upload():
    form = _upload_form()
    if not form.validate_on_submit():
        return _bank_page(form, status=400)
    upload = form.file.data
    # The name is shown in messages and the log, never used as a path.
    name = PurePath(upload.filename or "upload").name[:200] or "upload"
    limit = int(float(current_app.config["IMPORT_MAX_MB"]) * 1024 * 1024)
    data = upload.stream.read(limit + 1)  # the bank reader refuses anything over the limit
    log, plan = preview_upload(
        db.request_session(),
        current_user.id,
        name,
        data,
        form.format.data or None,
        form.rubric.data or None,
        current_app.config,
    )
    if plan.problems:
        form.file.errors = [f"{name} cannot be imported: {plan.describe()}. Nothing was changed."]
        return _bank_page(form, plan, status=400)
    return redirect(url_for("admin.bank_import", import_id=log.id))


def _pending_import(import_id: int):
    try:
        return get_import(db.request_session(), import_id)
    except ImportNotFound:
        abort(404)


@bp.get("/bank/imports/<id:import_id>")
def bank_import(import_id: int):
    log = _pending_import(import_id)
    plan = None
    if log.status == ImportStatus.PREVIEWED:
        plan = preview_pending(db.request_session(), log, current_app.config)
    return render_template(
        "admin/bank_import.html",
        log=log,
        plan=plan,
        progress=import_progress(import_id),
        background=_in_background(log),
    )


def _in_background(log) -> bool:
    return sum(log.counts.get(k, 0) for k in ("new", "changed")) > int(
        current_app.config["IMPORT_BACKGROUND_OVER"]
    )


@bp.post("/bank/imports/<id:import_id>/apply")
def apply_bank_import(import_id: int):
    session = db.request_session()
    log = _pending_import(import_id)
    try:
        claim_for_apply(session, import_id)
    except ImportNotPending:
        flash("This import has already been applied or refused.", "info")
        return redirect(url_for("admin.bank_import", import_id=import_id))
    if _in_background(log):
        tasks.enqueue_bank_import(import_id)
        flash("The import is running in the background.", "info")
        return redirect(url_for("admin.bank_import", import_id=import_id))
    try:
        plan = apply_upload(session, import_id, current_app.config)
    except SourceError as exc:
        flash(f"Nothing was imported: {exc.summary()}", "error")
    else:
        flash(f"Imported: {plan.describe()}.", "success")
    return redirect(url_for("admin.bank_import", import_id=import_id))


@bp.get("/bank/imports/<id:import_id>/progress")
def bank_import_progress(import_id: int) -> Response:
    log = _pending_import(import_id)
    db.request_session().refresh(log)
    done, total = import_progress(import_id) or (0, 0)
    return jsonify(status=log.status, done=done, total=total, message=log.message)


@bp.get("/bank/export")
def export_bank() -> Response:
    form = ExportForm(request.args)
    if not form.validate():
        abort(400)
    kind = FORMATS[form.format.data]
    data = write_bank(export_questions(db.request_session()), kind.name)
    return Response(
        data,
        mimetype=kind.media_type,
        headers={"Content-Disposition": f'attachment; filename="question-bank.{kind.extension}"'},
    )
