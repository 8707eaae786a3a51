"""Thin views: parse the request, call a service, render."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.auth.access import get_attempt
from app.extensions import cached_page, db
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
from app.schemas import AnswerDraftBody, AnswerFormBody, BodyInvalid, parse_json, validate
from app.voice.service import attach_to_attempt

from . import bp
from .compare import CompareRefused, compare_attempts, compare_choices
from .follow_up_views import FollowUpForm, follow_up_form_for
from .follow_ups import follow_up_state
from .forms import (
    AnswerForm,
    CompareForm,
    EmptyForm,
    ShareForm,
    WeeklyGoalForm,
    question_filters,
    row_id,
    to_int,
)
from .highlight import evidence_segments
from .home import home_for
from .progress import ScopeUnknown, progress_for, set_weekly_goal, zone_named
from .services import (
    MAX_ANSWER_CHARS,
    AlreadySubmitted,
    AnswerTooLong,
    AttemptResult,
    DraftChanged,
    EmptyAnswer,
    PageOutOfRange,
    QuestionRetired,
    attempt_result,
    best_scores,
    drafts_for,
    get_question,
    keep_draft,
    list_questions,
    new_draft_key,
    pick_draft,
    save_draft,
    start_retry,
    submit_attempt,
    submitted_history,
)
from .suggest import next_question, weak_criterion_of


@bp.app_context_processor
def _what_is_new() -> dict[str, int]:
    """The badge in the header: coaches' comments and levels the user has not seen yet."""
    if not current_user.is_authenticated:
        return {}
    return {"unread_notifications": unread_notifications(db.request_session(), current_user.id)}


@bp.get("/")
@cached_page  # the same for every anonymous visitor; never a signed-in one
def home() -> str:
    user_id = current_user.id if current_user.is_authenticated else None
    return render_template("practice/home.html", home=home_for(db.request_session(), user_id))


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
@cached_page
def question(slug: str) -> str:
    return _answer_page(slug, draft_id=row_id(request.args.get("draft")))


@bp.post("/questions/<slug>/draft")
@login_required
def draft(slug: str) -> str | Response | tuple[str | Response, int]:
    """Autosave (JSON from the page's script) or the no-script "Save draft" button."""
    if not request.is_json:
        return _save_button(slug)
    try:
        body = parse_json(request.get_data(), AnswerDraftBody)
    except BodyInvalid as invalid:
        return jsonify(error=f"Not saved: {invalid.reason}", reason="invalid"), 400
    seconds = to_int(body.time_spent_seconds)
    try:
        saved = save_draft(
            db.request_session(),
            current_user.id,
            slug,
            body.answer_text,
            seconds,
            body.draft_key,
            body.version,
        )
    except QuestionRetired as retired:
        return _refuse_retired(retired, json=True)
    except DraftChanged as changed:
        return jsonify(error="changed elsewhere", reason="changed", version=changed.version), 409
    except (AnswerTooLong, EmptyAnswer) as exc:
        return jsonify(error=str(exc)), 400
    except AlreadySubmitted as done:
        # The page compares the key: its own draft was submitted, or it retyped that answer.
        return jsonify(
            error="already submitted",
            reason="submitted",
            attempt_id=done.attempt_id,
            draft_key=done.draft_key,
        ), 409
    return jsonify(attempt_id=saved.id, draft_key=saved.key, version=saved.version)


def _save_button(slug: str) -> str | Response | tuple[str | Response, int]:
    """The no-script "Save draft" button: the text is kept, as a draft of its own if it cannot
    land on the page's draft."""
    posted = _posted_form()
    if isinstance(posted, str):
        return _form_refused(slug, posted, new_key=True)
    try:
        saved = keep_draft(
            db.request_session(),
            current_user.id,
            slug,
            posted.answer_text,
            to_int(posted.time_spent_seconds),
            posted.draft_key,
            posted.version,
        )
    except QuestionRetired as retired:
        return _refuse_retired(retired, json=False)
    except (AnswerTooLong, EmptyAnswer) as exc:
        return _form_refused(slug, str(exc))
    except AlreadySubmitted as done:
        flash("That answer was already submitted; here is its result.", "info")
        return redirect(url_for("practice.attempt", attempt_id=done.attempt_id))
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
    posted = _posted_form()
    if isinstance(posted, str):
        return _form_refused(slug, posted, new_key=True)
    try:
        attempt_id = submit_attempt(
            db.request_session(),
            current_user.id,
            slug,
            posted.answer_text,
            to_int(posted.time_spent_seconds),
            posted.draft_key,
            posted.version,
        )
    except (EmptyAnswer, AnswerTooLong) as exc:
        return _form_refused(slug, str(exc))
    except QuestionRetired as retired:
        return _refuse_retired(retired, json=False)
    except AlreadySubmitted as done:  # a double click: show the result
        return redirect(url_for("practice.attempt", attempt_id=done.attempt_id))
    recording = row_id(request.form.get("transcription_id"))  # an answer given aloud
    if recording is not None:
        attach_to_attempt(db.request_session(), current_user.id, recording, attempt_id)
    ask_for_feedback(current_user.id, attempt_id)
    return redirect(url_for("practice.attempt", attempt_id=attempt_id))


def _posted_form() -> AnswerFormBody | str:
    """The no-script form's fields, with the autosave's checks (`AnswerFormBody`), or what is
    wrong with them."""
    fields = {
        name: request.form[name] for name in AnswerFormBody.model_fields if name in request.form
    }
    try:
        return validate(fields, AnswerFormBody)
    except BodyInvalid as invalid:
        return f"Not saved: {invalid.reason}. Save again to keep it."


def _form_refused(slug: str, error: str, new_key: bool = False) -> tuple[str, int]:
    """The question page again, with the text as posted and what is wrong with it. A post whose
    fields were refused keeps its text under a new key, so saving again keeps it as a draft of
    its own."""
    form = AnswerForm()
    form.answer_text.errors = [error]
    if new_key:
        form.draft_key.data, form.version.data = new_draft_key(), "1"
    return _answer_page(slug, form), 400


def _refuse_retired(retired: QuestionRetired, json: bool) -> tuple[str | Response, int]:
    """No new answers for a retired question: a 409 the page's script shows, or, for a form
    post, the question page, which says so (the text typed stays in the device's copy)."""
    if json:
        return jsonify(error=str(retired), reason="retired"), 409
    return _answer_page(retired.slug), 409


def _answer_page(slug: str, posted: AnswerForm | None = None, draft_id: int | None = None) -> str:
    """The question page. A candidate gets a draft in the answer form (the one asked for, else
    the newest) with its key and the version its next save makes, or the form as posted with
    what is wrong with it, and a link to every other draft of theirs for this question."""
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
                draft_key=(draft.draft_key if draft else None) or new_draft_key(),
                version=str(draft.version + 1 if draft else 1),
            )
        else:
            key = posted.draft_key.data
            draft = next((d for d in drafts if key and d.draft_key == key), None)
            posted.draft_key.data = key or new_draft_key()
        others = [other for other in drafts if other is not draft]
    return render_template(
        "practice/question.html",
        question=found,
        form=form,
        draft=draft,
        other_drafts=others,
        autosave_seconds=current_app.config["AUTOSAVE_SECONDS"],
        max_answer_chars=MAX_ANSWER_CHARS,
    )


@bp.get("/attempts/<id:attempt_id>")
@login_required
def attempt(attempt_id: int) -> str:
    return result_page(attempt_id)


def result_page(attempt_id: int, follow_up_form: FollowUpForm | None = None) -> str:
    """The result page; `follow_up_form` is the follow-up reply as posted, with its errors."""
    session = db.request_session()
    result = attempt_result(session, current_user.id, attempt_id)
    evidence = {c["id"]: c["evidence"] for c in result.score.criteria}
    mark_read(session, current_user.id, attempt_id)
    follow_up = follow_up_state(session, current_user.id, attempt_id, result)
    weak = weak_criterion_of(result.rubric.rubric_id, result.score.criteria)
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
        follow_up=follow_up,
        follow_up_form=follow_up_form_for(follow_up, follow_up_form),
        practise_next=next_question(session, current_user.id, weak, {result.question.id}),
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
def compare() -> str | tuple[str, int]:
    """Two attempts, earlier against later; with fewer, the chooser (a question, then two of
    its answers). What cannot be compared is said on the chooser, with a 400."""
    form = CompareForm(request.args)
    if form.out_of_range():
        abort(404)
    session = db.request_session()
    first, second = form.attempt_ids()
    malformed = (
        "" if form.validate() else "; ".join(f"{f.label.text}: {e}" for f in form for e in f.errors)
    )
    problem = malformed
    if not malformed and first is not None and second is not None:
        try:
            comparison = compare_attempts(session, current_user.id, first, second)
        except CompareRefused as refused:
            problem = str(refused)
        else:
            return render_template("practice/compare.html", comparison=comparison)
    choices = compare_choices(
        session,
        current_user.id,
        slug=None if malformed else form.question.data,
        attempt_id=None if malformed else first or second,  # one named: the chooser, it picked
    )
    page = render_template("practice/compare.html", choices=choices, problem=problem)
    return (page, 400) if problem else page


def _progress_page(goal_form: WeeklyGoalForm | None = None) -> str | tuple[str, int]:
    session = db.request_session()
    zone = zone_named(request.cookies.get("tz"))
    show = request.args.get("show", "")
    problem = None
    try:
        data = progress_for(session, current_user.id, show, zone)
    except ScopeUnknown as unknown:
        problem, data = str(unknown), progress_for(session, current_user.id, "", zone)
    if goal_form is None:
        goal_form = WeeklyGoalForm(goal=data.habit.goal or 5)
    page = render_template(
        "practice/progress.html", progress=data, problem=problem, goal_form=goal_form
    )
    return (page, 400) if problem or goal_form.errors else page


@bp.get("/progress")
@login_required
def progress() -> str | tuple[str, int]:
    return _progress_page()


@bp.post("/progress/goal")
@login_required
def weekly_goal() -> Response | str | tuple[str, int]:
    form = WeeklyGoalForm()
    if not form.validate_on_submit():
        return _progress_page(form)
    set_weekly_goal(db.request_session(), current_user.id, form.goal.data)
    goal = form.goal.data
    flash(f"Weekly goal set: {goal} answer{'s' if goal != 1 else ''} a week.", "success")
    return redirect(url_for("practice.progress") + "#this-week")
