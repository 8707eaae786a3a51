"""Register, log in, log out, reset a password, and the account page. Sign-up is throttled per
address; login per address and per account from each address, so a stranger's failures cannot
lock the owner out. Every session carries its account's session version (see SignedInUser), so
logging out ends it, and every other copy of it, for good."""

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
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.extensions import db, limiter, login_manager

from . import bp
from .account_data import export_account, export_account_csv
from .forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    EndSessionsForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    ResetPasswordForm,
    SignupEmailForm,
)
from .mail import MailNotSent, mail_enabled, public_link, send
from .services import (
    AccountDeactivated,
    AccountError,
    EmailTaken,
    ResetLinkGone,
    SignedInUser,
    SignupLinkGone,
    SignupMail,
    WrongPassword,
    authenticate,
    change_password,
    delete_account,
    end_sessions,
    get_user,
    normalise_email,
    parse_session_id,
    password_reset_for,
    register_user,
    reset_password,
    signed_in_user,
    signup_email_for,
    signup_message,
    used_signup_link,
)

REGISTER_LIMIT_PER_ADDRESS = "10 per hour"  # unless the config sets REGISTER_LIMIT_PER_ADDRESS
SIGNUP_LINK_HOURS = 24  # unless the config sets SIGNUP_LINK_HOURS


@login_manager.user_loader
def load_user(session_id: str) -> SignedInUser | None:
    parsed = parse_session_id(session_id)
    user = signed_in_user(db.request_session(), *parsed) if parsed else None
    if user is None:
        # Logged out since, deactivated or deleted: the session ends for good, remember-me
        # cookie included, so reactivating the account later does not revive it.
        session.clear()
        session["_remember"] = "clear"
    return user


def _sign_in(user: SignedInUser, remember: bool = False) -> None:
    """Every sign-in and sign-out starts a fresh session, so a page left open from before holds
    a CSRF token that no longer works: its autosaves cannot land in whoever signs in next."""
    session.clear()
    login_user(user, remember=remember)


def _sign_in_again(user: SignedInUser) -> None:
    """Keep this browser signed in after its account's sessions were ended: a new session, and a
    new remember-me cookie if it had one, carrying the account's new session version."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    _sign_in(user, remember=cookie in request.cookies)


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
@limiter.limit(
    lambda: current_app.config.get("REGISTER_LIMIT_PER_ADDRESS", REGISTER_LIMIT_PER_ADDRESS),
    methods=["POST"],
)
def register() -> str | Response:
    """Sign-up tells nobody whether an address has an account. With mail configured, the
    address's owner gets either a link to finish signing up or a note that someone tried.
    Without it, a new account waits for an admin's approval (SIGNUP_APPROVAL) and a taken
    address gets the same page; the password is hashed either way, so timing tells no more.
    The first account, the admin's, is signed straight in: there is no one to approve it."""
    if current_user.is_authenticated:
        return redirect(url_for("practice.questions"))
    if mail_enabled(current_app.config):
        return _register_by_email()
    form = RegisterForm()
    if form.validate_on_submit():
        approval = bool(current_app.config["SIGNUP_APPROVAL"])
        email = normalise_email(form.email.data)
        try:
            user = register_user(
                db.request_session(), email, form.password.data, needs_approval=approval
            )
        except EmailTaken as exc:
            if approval:
                return render_template("auth/awaiting_approval.html", email=email)
            form.email.errors.append(str(exc))
        else:
            if user.awaiting_approval:
                return render_template("auth/awaiting_approval.html", email=email)
            _sign_in(SignedInUser.of(user))
            flash("Welcome! Pick a question to practise.", "success")
            return redirect(url_for("practice.questions"))
    return render_template("auth/register.html", form=form)


def _register_by_email() -> str:
    form = SignupEmailForm()
    if form.validate_on_submit():
        config = current_app.config
        mail = SignupMail(
            sender=config["MAIL_SENDER"],
            secret_key=config["SECRET_KEY"],
            link_for=lambda token: public_link(config, "auth.finish_signup", token=token),
            login_link=public_link(config, "auth.login"),
            hours=float(config.get("SIGNUP_LINK_HOURS", SIGNUP_LINK_HOURS)),
        )
        try:
            send(config, signup_message(db.request_session(), form.email.data, mail))
        except MailNotSent as exc:
            current_app.logger.warning("sign-up e-mail not sent: %s", exc)
            form.email.errors.append("We could not send e-mail just now. Try again later.")
        else:
            email = normalise_email(form.email.data)
            return render_template("auth/check_email.html", email=email)
    return render_template("auth/register.html", form=form)


@bp.route("/register/<token>", methods=["GET", "POST"])
def finish_signup(token: str) -> str | Response | tuple[str, int]:
    """The link a sign-up e-mailed: its holder chooses the password, and is signed in."""
    config = current_app.config
    max_age = float(config.get("SIGNUP_LINK_HOURS", SIGNUP_LINK_HOURS)) * 3600
    db_session = db.request_session()
    try:
        email = signup_email_for(db_session, config["SECRET_KEY"], token, max_age)
        form = NewPasswordForm(account_email=email)
        if form.validate_on_submit():
            try:
                link = used_signup_link(token, max_age)
                user = register_user(db_session, email, form.password.data, link=link)
            except EmailTaken:
                raise SignupLinkGone("used") from None
            _sign_in(SignedInUser.of(user))
            flash("Welcome! Pick a question to practise.", "success")
            return redirect(url_for("practice.questions"))
    except SignupLinkGone as exc:
        status = 404 if exc.reason == "unknown" else 410
        return render_template("auth/reset_gone.html", message=str(exc)), status
    return render_template("auth/finish_signup.html", form=form, email=email)


def _account_key() -> str:
    """The per-account login limit counts each account's failures from each address apart, so a
    stranger failing elsewhere cannot lock the owner out (the per-address limit stops them)."""
    email = normalise_email(request.form.get("email", ""))
    return f"login:{email}:{get_remote_address()}"


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
                form.password.errors.append(
                    "That email and password do not match an account that can log in."
                    + (
                        " A new account can log in once an admin approves it."
                        if current_app.config["SIGNUP_APPROVAL"]
                        and not mail_enabled(current_app.config)
                        else ""
                    )
                )
            else:
                _sign_in(SignedInUser.of(user), remember=form.remember.data)
                return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Ends this session and every other copy of it (its cookie, a remember-me cookie) on the
    server: the account's session version is raised, so all its sessions end, in every browser."""
    end_sessions(db.request_session(), current_user.id)
    _sign_out()
    flash("You are logged out.", "info")
    return redirect(url_for("practice.home"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> str | Response | tuple[str, int]:
    """Set a new password from a one-time link an admin issued; no login needed. Every session
    of the account ends, wherever it is: whoever knew the old password is logged out."""
    db_session = db.request_session()
    try:
        account = get_user(db_session, password_reset_for(db_session, token).user_id)
        form = ResetPasswordForm(account_email=account.email)
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


def _account_page(**forms: object) -> str:
    """The account page, with any form given shown as posted (its errors beside its fields)."""
    return render_template(
        "account/index.html",
        **{
            "password_form": ChangePasswordForm(prefix="pw", account_email=current_user.email),
            "sessions_form": EndSessionsForm(prefix="out"),
            "delete_form": DeleteAccountForm(prefix="del"),
            **forms,
        },
    )


@bp.get("/account")
@login_required
def account() -> str:
    return _account_page()


@bp.post("/account/password")
@login_required
def account_password() -> str | Response:
    form = ChangePasswordForm(prefix="pw", account_email=current_user.email)
    if form.validate_on_submit():
        try:
            user = change_password(
                db.request_session(), current_user.id, form.current.data, form.password.data
            )
        except WrongPassword as exc:
            form.current.errors.append(str(exc))
        else:
            _sign_in_again(user)  # every other session has ended
            flash("Your password is changed. You are logged out everywhere else.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(password_form=form)


@bp.post("/account/sessions")
@login_required
def account_end_sessions() -> str | Response:
    """ "Log out everywhere": every session of the account ends except this one."""
    form = EndSessionsForm(prefix="out")
    if not form.validate_on_submit():
        return _account_page(sessions_form=form)
    _sign_in_again(end_sessions(db.request_session(), current_user.id))
    flash("You are logged out on every other device and browser.", "success")
    return redirect(url_for("auth.account"))


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
    return _account_page(delete_form=form)


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
