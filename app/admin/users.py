"""Admins manage accounts: find them, approve sign-ups, change roles, deactivate and
reactivate, and issue one-time password-reset links."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.audit import record
from app.auth.mail import MailNotSent, mail_enabled, public_link, send_reset_link
from app.auth.services import (
    AWAITING_SHOWN,
    AccountError,
    UserNotFound,
    approve_user,
    awaiting_approval,
    deactivate_user,
    get_user,
    issue_password_reset,
    list_users,
    reactivate_user,
    set_role,
)
from app.extensions import db
from app.models import Role

from . import bp
from .forms import ActionForm, RoleForm

# The buttons below post an `ActionForm`: CSRFProtect checks every POST's token before the view.


@bp.errorhandler(UserNotFound)
def _no_such_user(_exc: UserNotFound) -> tuple[str, int]:
    return render_template(
        "errors/error.html", code=404, title="Not found", message="There is no such account."
    ), 404


@bp.get("/users")
def users() -> str:
    search = request.args.get("q", "")
    per_page = current_app.config.get("USERS_PER_PAGE", 50)
    session = db.request_session()
    page = list_users(session, search, request.args.get("page", 1, type=int), per_page)
    forms = {user.id: RoleForm(prefix=f"u{user.id}", role=user.role) for user in page.items}
    return render_template(
        "admin/users.html",
        page=page,
        search=search,
        forms=forms,
        awaiting=awaiting_approval(session),
        awaiting_shown=AWAITING_SHOWN,
        action_form=ActionForm(),
    )


@bp.get("/users/<id:user_id>")
def user(user_id: int) -> str:
    account = get_user(db.request_session(), user_id)
    return render_template(
        "admin/user.html",
        account=account,
        role_form=RoleForm(prefix=f"u{account.id}", role=account.role),
        action_form=ActionForm(),
    )


@bp.post("/users/<id:user_id>/role")
def change_role(user_id: int) -> Response:
    form = RoleForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return redirect(url_for("admin.users"))
    session = db.request_session()
    before = get_user(session, user_id).role
    try:
        user = set_role(session, user_id, Role(form.role.data), current_user.id)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        if user.role != before:
            record(
                session, current_user.id, "user.role", user.email, before=before, after=user.role
            )
        flash(f"{user.email} is now {user.role}.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<id:user_id>/approve")
def approve(user_id: int) -> Response:
    session = db.request_session()
    user = approve_user(session, user_id)
    record(session, current_user.id, "user.approve", user.email, user_id=user_id)
    flash(f"{user.email} is approved: they can log in now.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<id:user_id>/deactivate")
def deactivate(user_id: int) -> Response:
    session = db.request_session()
    try:
        user = deactivate_user(session, user_id, current_user.id)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        record(session, current_user.id, "user.deactivate", user.email, user_id=user_id)
        flash(f"{user.email} is deactivated: they cannot log in any more.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<id:user_id>/reactivate")
def reactivate(user_id: int) -> Response:
    session = db.request_session()
    user = reactivate_user(session, user_id)
    record(session, current_user.id, "user.reactivate", user.email, user_id=user_id)
    flash(f"{user.email} is active again.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<id:user_id>/reset")
def issue_reset(user_id: int) -> str:
    """Shown once, on this response only: the link is not stored, so it is not in a redirect."""
    config = current_app.config
    session = db.request_session()
    issued = issue_password_reset(session, user_id, current_user.id, config["PASSWORD_RESET_HOURS"])
    record(
        session,
        current_user.id,
        "user.reset_link",
        issued.user.email,
        user_id=user_id,
        expires_at=issued.expires_at.isoformat(),
    )
    link = public_link(config, "auth.reset", token=issued.token)
    mail_error = None
    if mail_enabled(config):
        try:
            send_reset_link(config, issued.user.email, link, issued.expires_at)
        except MailNotSent as exc:
            current_app.logger.warning("Reset link for %s not sent: %s", issued.user.email, exc)
            mail_error = str(exc)
    return render_template(
        "admin/user_reset.html",
        account=issued.user,
        link=link,
        expires_at=issued.expires_at,
        mailed=mail_enabled(config) and mail_error is None,
        mail_error=mail_error,
    )
