"""Thin views: parse the request, call a service, render."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.auth.access import get_attempt
from app.extensions import cache, db, not_cacheable
from app.feedback.panel import ask_for_feedback, render_feedback
from app.feedback.service import latest_feedback
from app.review.services import (
    ReviewError,
    coach_notes,
    create_share_link,
    mark_read,
    notifications_of,
    revoke_share,
    share_with_coach,
    shares_of,
    unread_notifications,
)
from app.rubrics.rescoring import later_scores
from app.schemas import AnswerDraftBody, BodyInvalid, parse_json, validate

from . import bp
from .forms import (
    MAX_UNCONFIRMED,
    UNCONFIRMED_FIELD,
    AnswerForm,
    CompareForm,
    EmptyForm,
    ShareForm,
    question_filters,
    row_id,
    to_int,
    unconfirmed_texts,
)
from .highlight import evidence_segments
from .progress import progress_for
from .services import (
    AlreadySubmitted,
    AnswerTooLong,
    AttemptResult,
    DraftChanged,
    EmptyAnswer,
    PageOutOfRange,
    QuestionRetired,
    attempt_result,
    best_scores,
    compare_attempts,
    draft_version,
    drafts_for,
    get_question,
    home_summary,
    list_questions,
    pick_draft,
    save_draft,
    start_retry,
    submit_attempt,
    submitted_history,
)


@bp.app_context_processor
def _what_is_new() -> dict[str, int]:
    """The badge in the header: coaches' comments and levels the user has not seen yet."""
    if not current_user.is_authenticated:
        return {}
    return {"unread_notifications": unread_notifications(db.request_session(), current_user.id)}


@bp.get("/")
def home() -> str:
    total, types = home_summary(db.request_session())
    return render_template("practice/home.html", total=total, types=types)


@bp.get("/questions")
def questions() -> str | tuple[str, int]:
    filters = question_filters(request.args)
    session = db.request_session()
    try:
        page = list_questions(session, filters, per_page=current_app.config["QUESTIONS_PER_PAGE"])
    except PageOutOfRange as missing:
        return render_template("practice/questions.html", missing=missing, filters=filters), 404
    best = best_scores(session, current_user.id) if current_user.is_authenticated else {}
    return render_template("practice/questions.html", page=page, filters=filters, best=best)


@bp.get("/questions/<slug>")
@cache.cached(unless=not_cacheable)
def question(slug: str) -> str:
    return _answer_page(slug, draft_id=row_id(request.args.get("draft")))


@bp.post("/questions/<slug>/draft")
@login_required
def draft(slug: str) -> str | Response | tuple[str | Response, int]:
    """Autosave (JSON from the page's script) or the no-script "Save draft" button."""
    form = None
    if request.is_json:
        try:
            body = parse_json(request.get_data(), AnswerDraftBody)
        except BodyInvalid as invalid:
            return jsonify(error=f"Not saved: {invalid.reason}", reason="invalid"), 400
        text = body.answer_text
        seconds, draft_id = to_int(body.time_spent_seconds), row_id(body.attempt_id)
        base_version = body.base_version or None
        unconfirmed = unconfirmed_texts(body.unconfirmed_text)
    else:
        form = AnswerForm()
        if refused := _refuse_invalid_form(slug, form):
            return refused
        text, seconds, draft_id = form.answer_text.data or "", form.seconds(), form.draft_id()
        base_version = form.base_version.data or None
        unconfirmed = form.unconfirmed()
    try:
        saved = save_draft(
            db.request_session(),
            current_user.id,
            slug,
            text,
            seconds,
            draft_id,
            autosave=form is None,
            base_version=base_version,
            unconfirmed_texts=unconfirmed,
        )
    except QuestionRetired as retired:
        return _refuse_retired(retired, form is None)
    except DraftChanged as changed:
        return jsonify(
            error="changed elsewhere", reason="changed", attempt_id=changed.attempt_id
        ), 409
    except (AnswerTooLong, EmptyAnswer) as exc:
        if form is None:
            return jsonify(error=str(exc)), 400
        form.answer_text.errors = [str(exc)]
        return _answer_page(slug, form), 400
    except AlreadySubmitted as done:
        if form is None:
            return jsonify(
                error="already submitted", reason="submitted", attempt_id=done.attempt_id
            ), 409
        flash("That answer was already submitted; here is its result.", "info")
        return redirect(url_for("practice.attempt", attempt_id=done.attempt_id))
    if form is None:
        return jsonify(attempt_id=saved.id, saved_at=saved.version)
    if saved.id is None:
        flash("The answer box was empty, so that draft is gone.", "info")
        return redirect(url_for("practice.question", slug=slug))
    if saved.forked:
        flash(
            "This draft had changed elsewhere (another tab?) since you opened it, so your text "
            "is saved as a separate draft; the other one is listed above the answer box.",
            "info",
        )
    else:
        flash("Draft saved.", "success")
    return redirect(url_for("practice.question", slug=slug, draft=saved.id))


@bp.post("/questions/<slug>/submit")
@login_required
def submit(slug: str) -> Response | tuple[str | Response, int]:
    form = AnswerForm()
    if refused := _refuse_invalid_form(slug, form):
        return refused
    if form.validate_on_submit():
        try:
            attempt_id = submit_attempt(
                db.request_session(),
                current_user.id,
                slug,
                form.answer_text.data or "",
                form.seconds(),
                form.draft_id(),
                form.base_version.data or None,
                form.unconfirmed(),
            )
        except (EmptyAnswer, AnswerTooLong) as exc:
            form.answer_text.errors = [str(exc)]
        except QuestionRetired as retired:
            return _refuse_retired(retired, json=False)
        except AlreadySubmitted as done:  # a double click: show the result
            return redirect(url_for("practice.attempt", attempt_id=done.attempt_id))
        else:
            ask_for_feedback(current_user.id, attempt_id)
            return redirect(url_for("practice.attempt", attempt_id=attempt_id))
    return _answer_page(slug, form), 400


def _refuse_invalid_form(slug: str, form: AnswerForm) -> tuple[str, int] | None:
    """The no-script form gets the autosave's checks: its fields, as posted, must fit
    `AnswerDraftBody`; else the page again, saying which field is wrong (its text kept)."""
    fields = {
        name: request.form[name] for name in AnswerDraftBody.model_fields if name in request.form
    }
    fields[UNCONFIRMED_FIELD] = request.form.getlist(UNCONFIRMED_FIELD)
    try:
        validate(fields, AnswerDraftBody)
    except BodyInvalid as invalid:
        form.answer_text.errors = [f"Not saved: {invalid.reason}. Save again to keep it."]
        form.base_version.data = ""  # saved again, the text is kept as a draft of its own
        return _answer_page(slug, form), 400
    return None


def _refuse_retired(retired: QuestionRetired, json: bool) -> tuple[str | Response, int]:
    """No new answers for a retired question: a 409 the page's script shows, or, for a form
    post, the question page, which says so (the text typed stays in the device's copy)."""
    if json:
        return jsonify(error=str(retired), reason="retired"), 409
    return _answer_page(retired.slug), 409


def _answer_page(slug: str, posted: AnswerForm | None = None, draft_id: int | None = None) -> str:
    """The question page. A candidate gets a draft in the answer form (the one asked for, else
    the newest), or the form as posted with what is wrong with it, and a link to every other
    draft of theirs for this question."""
    session = db.request_session()
    found = get_question(session, slug)
    form, draft, others = posted, None, []
    if current_user.is_authenticated and found.retired_at is None:
        drafts = drafts_for(session, current_user.id, found.id)
        if posted is None:
            draft = pick_draft(drafts, draft_id) or next(iter(drafts), None)  # else the newest
            form = AnswerForm(
                # With no draft, the box starts with the question's template, if it has one.
                answer_text=draft.answer_text if draft else found.answer_template or "",
                time_spent_seconds=str(draft.time_spent_seconds if draft else 0),
                attempt_id=str(draft.id) if draft else "",
                base_version=draft_version(draft) if draft else "",
            )
        else:
            draft = pick_draft(drafts, posted.draft_id())
        others = [other for other in drafts if other is not draft]
    return render_template(
        "practice/question.html",
        question=found,
        form=form,
        draft=draft,
        draft_version=draft_version(draft) if draft else "",
        other_drafts=others,
        autosave_seconds=current_app.config["AUTOSAVE_SECONDS"],
        max_unheard=MAX_UNCONFIRMED,
        form_limit=current_app.config["MAX_FORM_MEMORY_SIZE"],
    )


@bp.get("/attempts/<id:attempt_id>")
@login_required
def attempt(attempt_id: int) -> str:
    session = db.request_session()
    result = attempt_result(session, current_user.id, attempt_id)
    evidence = {c["id"]: c["evidence"] for c in result.score.criteria}
    mark_read(session, current_user.id, attempt_id)
    return render_template(
        "practice/result.html",
        result=result,
        segments=evidence_segments(result.attempt.answer_text, evidence),
        retry_form=EmptyForm(),
        feedback_html=_feedback_html(result),
        notes=coach_notes(session, attempt_id),
        later=later_scores(session, attempt_id, result.score.rubric_version_id),
        shares=shares_of(session, current_user.id, attempt_id),
        share_form=ShareForm(),
    )


@bp.post("/attempts/<id:attempt_id>/shares")
@login_required
def share(attempt_id: int) -> Response:
    form = ShareForm()
    if not form.validate_on_submit():
        flash("Enter your coach's email address.", "error")
    else:
        try:
            share_with_coach(db.request_session(), current_user.id, attempt_id, form.email.data)
            flash(f"Shared with {form.email.data.strip()}.", "success")
        except ReviewError as error:
            flash(str(error), "error")
    return redirect(url_for("practice.attempt", attempt_id=attempt_id) + "#sharing")


@bp.post("/attempts/<id:attempt_id>/share-link")
@login_required
def share_link(attempt_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        create_share_link(db.request_session(), current_user.id, attempt_id)
        flash("Share link ready: send it to your coach. You can stop sharing at any time.")
    except ReviewError as error:
        flash(str(error), "error")
    return redirect(url_for("practice.attempt", attempt_id=attempt_id) + "#sharing")


@bp.post("/attempts/<id:attempt_id>/shares/<id:share_id>/revoke")
@login_required
def revoke(attempt_id: int, share_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not revoke_share(db.request_session(), current_user.id, attempt_id, share_id):
        abort(404)
    flash("Stopped sharing: that coach can no longer see this answer.", "success")
    return redirect(url_for("practice.attempt", attempt_id=attempt_id) + "#sharing")


@bp.get("/notifications")
@login_required
def notifications() -> str:
    items = notifications_of(db.request_session(), current_user.id)
    return render_template("practice/notifications.html", items=items)


def _feedback_html(result: AttemptResult) -> str:
    record = latest_feedback(db.request_session(), current_user.id, result.attempt.id)
    return render_feedback(record, result.attempt.answer_text, result.score.criteria)


@bp.get("/attempts/<id:attempt_id>/feedback")
@login_required
def feedback(attempt_id: int) -> str:
    """The feedback panel alone, which the result page polls while it is being written."""
    return _feedback_html(attempt_result(db.request_session(), current_user.id, attempt_id))


@bp.post("/attempts/<id:attempt_id>/feedback")
@login_required
def retry_feedback(attempt_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    get_attempt(db.request_session(), current_user.id, attempt_id)  # someone else's: 404
    ask_for_feedback(current_user.id, attempt_id)
    return redirect(url_for("practice.attempt", attempt_id=attempt_id) + "#ai-feedback")


@bp.post("/attempts/<id:attempt_id>/retry")
@login_required
def retry(attempt_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        retry = start_retry(db.request_session(), current_user.id, attempt_id)
    except QuestionRetired as retired:
        flash(str(retired), "error")
        return redirect(url_for("practice.attempt", attempt_id=attempt_id))
    if retry.kept_draft:
        flash(
            "You already have a draft in progress for this question, so it is left as it was. "
            "The answer you wanted to retry stays on its result page.",
            "info",
        )
    else:
        flash("Your last answer is loaded: improve it and submit again.", "info")
    return redirect(url_for("practice.question", slug=retry.question.slug))


@bp.get("/questions/<slug>/attempts")
@login_required
def history(slug: str) -> str:
    session = db.request_session()
    found = get_question(session, slug)
    rows = submitted_history(session, current_user.id, found.id)
    return render_template("practice/history.html", question=found, rows=rows)


@bp.get("/attempts/compare")
@login_required
def compare() -> str:
    form = CompareForm(request.args)
    if not form.validate():
        abort(404)
    comparison = compare_attempts(
        db.request_session(), current_user.id, form.first.data, form.second.data
    )
    return render_template("practice/compare.html", comparison=comparison)


@bp.get("/progress")
@login_required
def progress() -> str:
    data = progress_for(db.request_session(), current_user.id)
    return render_template("practice/progress.html", progress=data)
