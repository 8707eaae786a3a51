"""Register, log in, log out. Login is throttled per address and per account."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.extensions import db, limiter, login_manager
from app.models import User

from . import bp
from .forms import LoginForm, RegisterForm
from .services import (
    EmailTaken,
    SignedInUser,
    authenticate,
    normalise_email,
    register_user,
    signed_in_user,
)


@login_manager.user_loader
def load_user(user_id: str) -> SignedInUser | None:
    return signed_in_user(db.request_session(), int(user_id)) if user_id.isdigit() else None


def _sign_in(user: SignedInUser | User, remember: bool = False) -> None:
    """Every sign-in and sign-out starts a fresh session, so a page left open from before holds
    a CSRF token that no longer works: its autosaves cannot land in whoever signs in next."""
    session.clear()
    login_user(user, remember=remember)


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
        except EmailTaken:
            form.email.errors.append("An account with this email already exists. Log in instead.")
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
        user = authenticate(db.request_session(), form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password do not match an account.")
        else:
            _sign_in(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    session.clear()  # before logout_user(), which marks the remember-me cookie for removal
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("practice.home"))
