"""Thin views for reviewing the answers candidates share: the queue, comments, a coach's level
for a criterion, and keeping an answer as a calibration sample. The blueprint's one role rule
(views.py) covers these routes too."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.audit import record
from app.extensions import db
from app.practice.highlight import evidence_segments
from app.practice.services import attempt_result
from app.review.services import (
    ReviewError,
    add_comment,
    coach_notes,
    open_for_review,
    open_share_link,
    override_level,
    revert_override,
    review_queue,
    shared_by_link,
)
from app.rubrics.calibration import add_sample

from . import bp
from .forms import (
    ButtonForm,
    CommentForm,
    OverrideForm,
    QueueFilterForm,
    SampleFromAnswerForm,
    require_button,
)


@bp.get("/reviews")
def reviews() -> str:
    session = db.request_session()
    form = QueueFilterForm(request.args)
    everything = review_queue(session, current_user.id)
    slugs = {row.question.slug: row.question.title for row in everything}
    form.question.choices = [SelectChoice("", "All questions")] + [
        SelectChoice(slug, title) for slug, title in sorted(slugs.items(), key=lambda i: i[1])
    ]
    rows = review_queue(
        session, current_user.id, form.candidate.data or None, form.question.data or None
    )
    return render_template("coach/reviews.html", rows=rows, form=form)


@bp.get("/reviews/<id:attempt_id>")
def review(attempt_id: int, comment_form=None, override_form=None, status: int = 200):
    session = db.request_session()
    attempt = open_for_review(session, current_user.id, attempt_id)  # the access check
    result = attempt_result(session, attempt.user_id, attempt_id)  # as its owner sees it
    evidence = {c["id"]: c["evidence"] for c in result.score.criteria}
    override_form = override_form or OverrideForm()
    override_form.criterion.choices = [
        SelectChoice(c["id"], c["title"]) for c in result.score.criteria
    ]
    return render_template(
        "coach/review.html",
        result=result,
        segments=evidence_segments(attempt.answer_text, evidence),
        notes=coach_notes(session, attempt_id),
        comment_form=comment_form or CommentForm(),
        sample_form=SampleFromAnswerForm(),
        override_form=override_form,
        button=ButtonForm(),
    ), status


@bp.post("/reviews/<id:attempt_id>/comments")
def comment(attempt_id: int):
    form = CommentForm()
    if not form.validate_on_submit():
        return review(attempt_id, comment_form=form, status=422)
    start, end = form.span()
    try:
        add_comment(
            db.request_session(), current_user.id, attempt_id, form.body.data or "", start, end
        )
    except ReviewError as error:
        form.body.errors = [str(error)]
        return review(attempt_id, comment_form=form, status=422)
    flash("Comment added: the candidate is notified.", "success")
    return redirect(url_for("coach.review", attempt_id=attempt_id) + "#comments-heading")


@bp.post("/reviews/<id:attempt_id>/overrides")
def override(attempt_id: int):
    form = OverrideForm()
    if not form.validate_on_submit():
        return review(attempt_id, override_form=form, status=422)
    session = db.request_session()
    try:
        level = override_level(
            session,
            current_user.id,
            attempt_id,
            form.criterion.data or "",
            form.level.data,
            form.reason.data or "",
        )
    except ReviewError as error:
        form.reason.errors = [str(error)]
        return review(attempt_id, override_form=form, status=422)
    record(
        session,
        current_user.id,
        "review.override",
        f"attempt {attempt_id}",
        override_id=level.id,
        criterion=level.criterion_id,
        level=level.level,
    )
    flash("Your level is shown beside the engine's; the candidate is notified.", "success")
    return redirect(url_for("coach.review", attempt_id=attempt_id) + "#overrides")


@bp.post("/reviews/<id:attempt_id>/overrides/<id:override_id>/revert")
def revert(attempt_id: int, override_id: int) -> Response:
    require_button()
    session = db.request_session()
    if not revert_override(session, current_user.id, attempt_id, override_id):
        abort(404)
    record(
        session, current_user.id, "review.revert", f"attempt {attempt_id}", override_id=override_id
    )
    flash("Override reverted: the engine's level stands again (the log keeps both).")
    return redirect(url_for("coach.review", attempt_id=attempt_id) + "#overrides")


@bp.post("/reviews/<id:attempt_id>/sample")
def keep_as_sample(attempt_id: int) -> Response:
    """A shared answer becomes a calibration sample of the rubric that scored it."""
    form = SampleFromAnswerForm()
    if not form.validate_on_submit():
        flash("Choose a level from 1 to 5 for the sample.", "error")
        return redirect(url_for("coach.review", attempt_id=attempt_id))
    session = db.request_session()
    attempt = open_for_review(session, current_user.id, attempt_id)
    result = attempt_result(session, attempt.user_id, attempt_id)
    add_sample(
        session,
        result.rubric.rubric_id,
        attempt.answer_text,
        form.level.data,
        result.question.slug,
        f"From a shared answer to {result.question.title}"[:200],
        current_user.id,
    )
    flash(f"Kept as a level-{form.level.data} sample of {result.rubric.title}.", "success")
    return redirect(url_for("coach.review", attempt_id=attempt_id))


@bp.get("/shared/<token>")
def open_link(token: str) -> str:
    """A candidate's share link: what it offers, and a button to take it. Opening the link
    changes nothing, so another site cannot add answers to a coach's queue by linking here."""
    offered = shared_by_link(db.request_session(), current_user.id, token)
    return render_template("coach/open_link.html", offered=offered, token=token, form=ButtonForm())


@bp.post("/shared/<token>")
def take_link(token: str) -> Response:
    """The answer joins this coach's queue, until the candidate revokes the link."""
    require_button()
    attempt_id = open_share_link(db.request_session(), current_user.id, token)
    return redirect(url_for("coach.review", attempt_id=attempt_id))
