"""The follow-up question of a result page: answer it (once), and its section alone."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.extensions import db

from . import bp
from .follow_ups import (
    MAX_REPLY_CHARS,
    FollowUpInvalid,
    FollowUpState,
    answer_follow_up,
    follow_up_state,
)


class FollowUpForm(FlaskForm):
    max_chars = MAX_REPLY_CHARS
    reply = TextAreaField(
        "Your reply",
        validators=[
            InputRequired("Write your reply to the follow-up question before sending it."),
            Length(
                max=MAX_REPLY_CHARS,
                message=f"Keep your reply under {MAX_REPLY_CHARS:,} characters.",
            ),
        ],
    )
    # The offer the page showed ("rubric" or "ai"), so the question stored is the one read.
    source = HiddenField()


@bp.post("/attempts/<id:attempt_id>/follow-up")
@login_required
def follow_up_reply(attempt_id: int) -> Response | tuple[str, int]:
    from .views import result_page  # the result page, with this form and its errors

    form = FollowUpForm()
    valid = form.validate_on_submit()
    if form.csrf_token.errors:
        abort(400)  # as every form of the app: no page of ours sends a post without one
    if valid:
        try:
            _, answered_now = answer_follow_up(
                db.request_session(),
                current_user.id,
                attempt_id,
                form.reply.data or "",
                form.source.data or None,
            )
        except FollowUpInvalid as invalid:
            form.reply.errors = [str(invalid)]
        else:
            if answered_now:
                flash("Follow-up scored: see the criterion before and after below.", "success")
            else:
                flash("This answer's follow-up was answered already: here is that reply.", "info")
            return redirect(url_for("practice.attempt", attempt_id=attempt_id) + "#follow-up")
    return result_page(attempt_id, follow_up_form=form), 400


@bp.get("/attempts/<id:attempt_id>/follow-up")
@login_required
def follow_up_section(attempt_id: int) -> str:
    """The follow-up section alone: the result page fetches it again once AI feedback has
    arrived, since the AI may have tailored the question to the answer."""
    state = follow_up_state(db.request_session(), current_user.id, attempt_id)
    return render_template(
        "practice/_follow_up.html",
        follow_up=state,
        follow_up_form=follow_up_form_for(state),
        attempt_id=attempt_id,
    )


def follow_up_form_for(state: FollowUpState, posted: FollowUpForm | None = None) -> FollowUpForm:
    """The form for the offer on the page (the one posted, errors and text kept, if any)."""
    form = posted or FollowUpForm()
    if state.offer is not None and not form.source.data:
        form.source.data = state.offer.source
    return form
