"""Admins manage accounts: list, roles (more in this change)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import role_required
from app.auth.services import list_users, set_role
from app.extensions import db
from app.models import Role

from . import bp
from .forms import RoleForm


@bp.get("/users")
@role_required(Role.ADMIN)
def users() -> str:
    people = list_users(db.request_session())
    forms = {user.id: RoleForm(prefix=f"u{user.id}", role=user.role) for user in people}
    return render_template("admin/users.html", users=people, forms=forms)


@bp.post("/users/<id:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int) -> Response:
    form = RoleForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return redirect(url_for("admin.users"))
    if user_id == current_user.id and form.role.data != Role.ADMIN:
        flash("You cannot remove your own admin role; ask another admin.", "error")
        return redirect(url_for("admin.users"))
    user = set_role(db.request_session(), user_id, Role(form.role.data))
    if user is None:
        abort(404)
    flash(f"{user.email} is now {user.role}.", "success")
    return redirect(url_for("admin.users"))
