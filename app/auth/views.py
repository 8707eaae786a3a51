"""Register, log in, log out, reset a password, and the account page. Login is throttled per
address and per account."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.extensions import db, limiter, login_manager
from app.models import User

from . import bp
from .account_data import export_account, export_account_csv
from .forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from .services import (
    AccountDeactivated,
    AccountError,
    EmailTaken,
    ResetLinkGone,
    SignedInUser,
    WrongPassword,
    authenticate,
    change_password,
    delete_account,
    normalise_email,
    password_reset_for,
    register_user,
    reset_password,
    signed_in_user,
)


@login_manager.user_loader
def load_user(user_id: str) -> SignedInUser | None:
    user = signed_in_user(db.request_session(), int(user_id)) if user_id.isdigit() else None
    if user is None:
        # Deactivated or deleted: the session ends for good, remember-me cookie included, so
        # reactivating the account later does not revive it; they log in again.
        session.clear()
        session["_remember"] = "clear"
    return user


def _sign_in(user: SignedInUser | User, remember: bool = False) -> None:
    """Every sign-in and sign-out starts a fresh session, so a page left open from before holds
    a CSRF token that no longer works: its autosaves cannot land in whoever signs in next."""
    session.clear()
    login_user(user, remember=remember)


def _sign_out() -> None:
    session.clear()  # before logout_user(), which marks the remember-me cookie for removal
    logout_user()


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot bounce a user elsewhere after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("practice.questions")


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("practice.questions"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = register_user(db.request_session(), form.email.data, form.password.data)
        except EmailTaken as exc:
            form.email.errors.append(str(exc))
        else:
            _sign_in(user)
            flash("Welcome! Pick a question to practise.", "success")
            return redirect(url_for("practice.questions"))
    return render_template("auth/register.html", form=form)


def _account_key() -> str:
    return "login:" + normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key, methods=["POST"]
)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("practice.questions"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(db.request_session(), form.email.data, form.password.data)
        except AccountDeactivated as exc:
            form.email.errors.append(str(exc))
        else:
            if user is None:
                form.password.errors.append("That email and password do not match an account.")
            else:
                _sign_in(user, remember=form.remember.data)
                return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    _sign_out()
    flash("You are logged out.", "info")
    return redirect(url_for("practice.home"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> str | Response | tuple[str, int]:
    """Set a new password from a one-time link an admin issued; no login needed."""
    db_session = db.request_session()
    try:
        password_reset_for(db_session, token)
        form = ResetPasswordForm()
        if form.validate_on_submit():
            user = reset_password(db_session, token, form.password.data)
            if current_user.is_authenticated:
                _sign_out()
            flash(f"Your password is set. Log in as {user.email}.", "success")
            return redirect(url_for("auth.login"))
    except ResetLinkGone as exc:
        status = 404 if exc.reason == "unknown" else 410
        return render_template("auth/reset_gone.html", message=str(exc)), status
    return render_template("auth/reset.html", form=form)


@bp.get("/account")
@login_required
def account() -> str:
    return render_template(
        "account/index.html",
        password_form=ChangePasswordForm(prefix="pw"),
        delete_form=DeleteAccountForm(prefix="del"),
    )


@bp.post("/account/password")
@login_required
def account_password() -> str | Response:
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            change_password(
                db.request_session(), current_user.id, form.current.data, form.password.data
            )
        except WrongPassword as exc:
            form.current.errors.append(str(exc))
        else:
            flash("Your password is changed.", "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "account/index.html", password_form=form, delete_form=DeleteAccountForm(prefix="del")
    )


@bp.post("/account/delete")
@login_required
def account_delete() -> str | Response:
    form = DeleteAccountForm(prefix="del")
    if form.validate_on_submit():
        try:
            delete_account(
                db.request_session(), current_user.id, form.email.data, form.password.data
            )
        except WrongPassword as exc:
            form.password.errors.append(str(exc))
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            _sign_out()
            flash("Your account and everything in it are deleted.", "info")
            return redirect(url_for("practice.home"))
    return render_template(
        "account/index.html", password_form=ChangePasswordForm(prefix="pw"), delete_form=form
    )


def _download(body: str, mimetype: str, extension: str) -> Response:
    name = f"pm-interview-coach-{current_user.id}.{extension}"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",  # private: never kept by a shared computer's cache
        },
    )


@bp.get("/account/export.json")
@login_required
def account_export_json() -> Response:
    data = export_account(db.request_session(), current_user.id)
    return _download(json.dumps(data, indent=2, ensure_ascii=False), "application/json", "json")


@bp.get("/account/export.csv")
@login_required
def account_export_csv() -> Response:
    data = export_account(db.request_session(), current_user.id)
    return _download(export_account_csv(data), "text/csv", "csv")
