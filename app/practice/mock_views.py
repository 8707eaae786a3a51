"""Mock interviews: start one, answer its questions in turn, finish, read the report."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.bank.formats import readable
from app.errors import FieldError
from app.extensions import db
from app.feedback.panel import ask_for_feedback
from app.models import MockStatus
from app.schemas import BodyInvalid, parse_json, validate

from . import bp
from .mock import (
    Finished,
    Loop,
    LoopFileError,
    MockFinished,
    MockFinishing,
    MockInProgress,
    MockNotFound,
    MockStep,
    advance,
    current_step,
    finish,
    is_finishing,
    list_mocks,
    load_loops,
    mock_report,
    save_answer,
    start_by_filters,
    start_loop,
)
from .mock_forms import MockAnswerBody, MockAnswerForm, MockStartForm
from .services import DIFFICULTIES, AnswerTooLong, question_facets


@bp.errorhandler(MockNotFound)
def _mock_not_found(_error: MockNotFound) -> tuple[str, int]:
    message = "There is no such page."
    return render_template("errors/error.html", code=404, title="Not found", message=message), 404


@bp.get("/mock")
@login_required
def mocks() -> str:
    return render_template(
        "practice/mock_list.html", mocks=list_mocks(db.request_session(), current_user.id)
    )


@bp.route("/mock/new", methods=["GET", "POST"])
@login_required
def new_mock() -> str | Response | tuple[str, int]:
    form = MockStartForm()
    session = db.request_session()
    facets = question_facets(session)
    any_value = [("", "Any")]
    form.type.choices = any_value + [(value, readable(value)) for value in facets["type"]]
    form.difficulty.choices = any_value + [(value, value.capitalize()) for value in DIFFICULTIES]
    form.company.choices = any_value + [(value, value) for value in facets["company"]]
    form_errors: list[str] = []
    try:
        loops = load_loops()
    except LoopFileError as broken:
        current_app.logger.error("mock interview loops unusable: %s", broken)
        loops, form_errors = {}, [f"The ready-made loops cannot be offered: {broken}"]
    form.loop.choices = [(loop.id, loop.title) for loop in loops.values()]
    if request.method == "GET":
        return _start_page(form, loops, form_errors)
    if not form.validate_on_submit():
        return _start_page(form, loops, form_errors), 400
    try:
        if form.mode.data == "loop":
            mock = start_loop(session, current_user.id, form.loop.data or "", loops)
        else:
            mock = start_by_filters(
                session,
                current_user.id,
                form.count.data,
                form.type.data or None,
                form.difficulty.data or None,
                form.company.data or None,
            )
    except FieldError as refused:
        field = getattr(form, refused.field, None)
        if field is not None:
            field.errors = [*field.errors, str(refused)]
        else:
            form_errors.append(str(refused))
        return _start_page(form, loops, form_errors), 400
    return redirect(url_for("practice.mock", mock_id=mock.id))


def _start_page(form: MockStartForm, loops: dict[str, Loop], form_errors: list[str]) -> str:
    return render_template(
        "practice/mock_new.html", form=form, loops=loops, form_errors=form_errors
    )


@bp.get("/mock/<id:mock_id>")
@login_required
def mock(mock_id: int) -> str | Response:
    step = current_step(db.request_session(), current_user.id, mock_id)
    if step.mock.status != MockStatus.IN_PROGRESS or is_finishing(step.mock):
        return redirect(url_for("practice.mock_report_page", mock_id=mock_id))
    return _question_page(step)


def _question_page(step: MockStep, posted: MockAnswerForm | None = None) -> str:
    form = posted or MockAnswerForm(
        answer_text=step.item.answer_text,
        position=str(step.item.position),
        version=str(step.item.version + 1),  # a post without the script is newer
    )
    return render_template(
        "practice/mock.html",
        step=step,
        form=form,
        autosave_seconds=current_app.config["AUTOSAVE_SECONDS"],
    )


def _posted_answer(form: MockAnswerForm) -> MockAnswerBody:
    """The form's fields through the autosave's checks (`BodyInvalid` names a wrong one)."""
    fields = {name: request.form.get(name) for name in MockAnswerBody.model_fields}
    if not fields.get("seconds_used"):
        fields.pop("seconds_used")  # no script counted: the server's clock does
    return validate({k: v for k, v in fields.items() if v is not None}, MockAnswerBody)


def _refused(mock_id: int, form: MockAnswerForm, message: str) -> tuple[str, int]:
    step = current_step(db.request_session(), current_user.id, mock_id)
    form.answer_text.errors = [message]
    return _question_page(step, form), 400


@bp.post("/mock/<id:mock_id>/answer")
@login_required
def mock_answer(mock_id: int) -> Response | tuple[str | Response, int]:
    """Autosave (JSON from static/js/mock.js) or the "Save" button of the no-script form."""
    session = db.request_session()
    if request.is_json:
        try:
            body = parse_json(request.get_data(), MockAnswerBody)
            saved = save_answer(
                session,
                current_user.id,
                mock_id,
                body.position,
                body.answer_text,
                body.version,
                body.seconds_used,
            )
        except BodyInvalid as invalid:
            return jsonify(error=f"Not saved: {invalid.reason}"), 400
        except AnswerTooLong as too_long:
            return jsonify(error=str(too_long)), 400
        except MockFinished:
            report = url_for("practice.mock_report_page", mock_id=mock_id)
            return jsonify(error="This interview has ended.", report=report), 409
        return jsonify(
            version=saved.version,
            seconds_used=saved.seconds_used,
            landed=saved.landed,
            held=saved.held,
        )
    return _act_on_form(mock_id, "save")


@bp.post("/mock/<id:mock_id>/next")
@login_required
def mock_next(mock_id: int) -> Response | tuple[str, int]:
    return _act_on_form(mock_id, "next")


@bp.post("/mock/<id:mock_id>/finish")
@login_required
def mock_finish(mock_id: int) -> Response | tuple[str, int]:
    return _act_on_form(mock_id, "finish")


def _act_on_form(mock_id: int, action: str) -> Response | tuple[str, int]:
    """Keep the posted answer, then save, move on or finish. A form sent again after the
    interview ended (a double click on "Finish") leads to the report."""
    session = db.request_session()
    form = MockAnswerForm()
    step = current_step(session, current_user.id, mock_id)  # someone else's: 404
    report = redirect(url_for("practice.mock_report_page", mock_id=mock_id))
    if step.mock.status != MockStatus.IN_PROGRESS or is_finishing(step.mock):
        return report
    if not form.validate_on_submit():
        return _refused(mock_id, form, "The form was incomplete or out of date; save again.")
    try:
        body = _posted_answer(form)
        if action == "next":
            advance(
                session,
                current_user.id,
                mock_id,
                body.position,
                body.answer_text,
                body.version,
                body.seconds_used,
            )
        else:
            save_answer(
                session,
                current_user.id,
                mock_id,
                body.position,
                body.answer_text,
                body.version,
                body.seconds_used,
            )
    except BodyInvalid as invalid:
        return _refused(mock_id, form, f"Not saved: {invalid.reason}.")
    except AnswerTooLong as too_long:
        return _refused(mock_id, form, str(too_long))
    except MockFinished:
        return report
    if action == "finish":
        _finish(mock_id)
        return report
    if action == "save":
        flash("Answer saved.", "success")
    return redirect(url_for("practice.mock", mock_id=mock_id))


def _finish(mock_id: int) -> Finished:
    finished = finish(db.request_session(), current_user.id, mock_id)
    for attempt_id in finished.new_attempt_ids:  # AI feedback, when it is on, as for any answer
        ask_for_feedback(current_user.id, attempt_id)
    return finished


@bp.get("/mock/<id:mock_id>/report")
@login_required
def mock_report_page(mock_id: int) -> str | Response:
    session = db.request_session()
    try:
        report = mock_report(session, current_user.id, mock_id)
    except MockFinishing:
        # Another request is scoring the answers; if it died, this one takes over.
        if _finish(mock_id).mock.status != MockStatus.FINISHED:
            return render_template("practice/mock_finishing.html", mock_id=mock_id)
        report = mock_report(session, current_user.id, mock_id)
    except MockInProgress:
        flash("This interview is still running: its report comes when you finish it.", "info")
        return redirect(url_for("practice.mock", mock_id=mock_id))
    return render_template("practice/mock_report.html", report=report)
