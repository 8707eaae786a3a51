"""Admins create, edit, retire and restore questions. Thin views over app.bank.questions."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.audit import record
from app.bank.questions import (
    NoSuchQuestion,
    QuestionChanged,
    QuestionInvalid,
    QuestionStatus,
    create_question,
    get_question_by_id,
    list_admin_questions,
    restore_question,
    retire_question,
    revision_of,
    rubric_choices,
    update_question,
)
from app.coach.forms import ButtonForm, require_button
from app.extensions import db, forget_question_pages
from app.markdown import render_markdown
from app.models import Question
from app.schemas import BodyInvalid, MarkdownPreviewBody, parse_json

from . import bp
from .question_form import QuestionForm, form_data

MAX_PREVIEW_CHARS = 100_000
STALE = "This question was changed by someone else since you opened it; reload to see it."


@bp.get("/questions")
def questions() -> str:
    search = request.args.get("q", "").strip()
    status = request.args.get("status", QuestionStatus.ALL)
    status = QuestionStatus(status) if status in set(QuestionStatus) else QuestionStatus.ALL
    page = list_admin_questions(
        db.request_session(),
        search=search,
        status=status,
        page=request.args.get("page", 1, type=int) or 1,
        per_page=current_app.config["QUESTIONS_PER_PAGE"],
    )
    return render_template(
        "admin/questions.html",
        page=page,
        search=search,
        status=status,
        statuses=list(QuestionStatus),
    )


@bp.route("/questions/new", methods=["GET", "POST"])
def new_question() -> Response | str | tuple[str, int]:
    form = _form()
    if not form.validate_on_submit():
        return _render_form(form, None)
    session = db.request_session()
    try:
        question = create_question(session, form.question_values(), current_user.id)
    except QuestionInvalid as error:
        return _render_form(form, None, error), 422
    record(session, current_user.id, "question.create", question.slug, question_id=question.id)
    flash(f"Created “{question.title}”: candidates can practise it now.", "success")
    return redirect(url_for("admin.edit_question", question_id=question.id))


@bp.route("/questions/<id:question_id>/edit", methods=["GET", "POST"])
def edit_question(question_id: int) -> Response | str | tuple[str, int]:
    question = _question(question_id)
    if request.method == "GET":
        data = {**form_data(question), "updated_at": revision_of(question)}
        return _render_form(_form(question, data=data), question)
    form = _form(question)
    if not form.validate_on_submit():
        abort(400)
    session = db.request_session()
    try:
        update_question(
            session,
            question_id,
            form.question_values(),
            form.updated_at.data or "",
            current_user.id,
        )
    except NoSuchQuestion:
        abort(404)
    except QuestionChanged:
        return _render_form(form, question, stale=True), 409
    except QuestionInvalid as error:
        return _render_form(form, question, error), 422
    record(session, current_user.id, "question.edit", question.slug, question_id=question_id)
    forget_question_pages([question.slug])
    flash("Saved.", "success")
    return redirect(url_for("admin.edit_question", question_id=question_id))


@bp.post("/questions/<id:question_id>/retire")
def retire(question_id: int) -> Response:
    require_button()
    question = _change(retire_question, question_id, "question.retire")
    flash(f"Retired “{question.title}”: its attempts and scores stay as they are.", "success")
    return redirect(url_for("admin.edit_question", question_id=question_id))


@bp.post("/questions/<id:question_id>/restore")
def restore(question_id: int) -> Response:
    require_button()
    question = _change(restore_question, question_id, "question.restore")
    flash(f"Restored “{question.title}”.", "success")
    return redirect(url_for("admin.edit_question", question_id=question_id))


@bp.post("/questions/preview")
def preview_markdown() -> Response | tuple[Response, int]:
    """The editor's live preview: Markdown through the app's one sanitising renderer."""
    try:
        text = parse_json(request.get_data(), MarkdownPreviewBody).text
    except BodyInvalid as invalid:
        return jsonify(error=f"No preview: {invalid.reason}. Send JSON: {{'text': ...}}."), 400
    if len(text) > MAX_PREVIEW_CHARS:
        return jsonify(error="Too long to preview."), 413
    # Uncached: every keystroke is a new text, which must not push out the stored questions'.
    return jsonify(html=str(render_markdown.__wrapped__(text)))


def _form(question: Question | None = None, **kwargs) -> QuestionForm:
    form = QuestionForm(**kwargs)
    if question is not None:
        del form.slug  # a question's address never changes
    form.set_rubric_choices(rubric_choices(db.request_session()))
    return form


def _render_form(
    form: QuestionForm,
    question: Question | None,
    error: QuestionInvalid | None = None,
    stale: bool = False,
) -> str:
    problems = form.show_problems(error.by_field()) if error else []
    return render_template(
        "admin/question_form.html",
        form=form,
        question=question,
        problems=problems,
        invalid=error is not None,
        stale=STALE if stale else None,
        button=ButtonForm(),
    )


def _question(question_id: int) -> Question:
    try:
        return get_question_by_id(db.request_session(), question_id)
    except NoSuchQuestion:
        abort(404)


def _change(change, question_id: int, action: str) -> Question:
    session = db.request_session()
    try:
        question = change(session, question_id)
    except NoSuchQuestion:
        abort(404)
    record(session, current_user.id, action, question.slug, question_id=question_id)
    forget_question_pages([question.slug])
    return question
