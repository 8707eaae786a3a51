from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

MIN_PASSWORD = 10
# zxcvbn's scale runs 0 (guessed at once) to 4; 3 resists an offline attack on a slow hash.
MIN_PASSWORD_SCORE = 3
_ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; a password's first 72 characters decide


def at_most_an_email(value: str | None) -> str | None:
    """A posted email is cut to one more character than an address may have before the form
    shows it again: the length check still fails, and a huge post is never echoed back."""
    return value[:255] if value else value


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why `password` is too easy to guess, in zxcvbn's words (its warning and suggestions), or
    None when it is strong enough. The account's email counts as a guessable word."""
    from zxcvbn import zxcvbn  # imported when a password is set, not at `import app`

    words = [email, email.split("@")[0]] if email else []
    result = zxcvbn(password[:_ZXCVBN_MAX_LENGTH], user_inputs=words)
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    feedback = result["feedback"]
    reason = feedback["warning"] or "This password is too easy to guess."
    return " ".join([reason, *feedback["suggestions"]])


class NewPasswordForm(FlaskForm):
    """A new password, typed twice: the same rules wherever a password is set. The account's
    email comes from the form's email field, or `account_email` when it has none."""

    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=f"At least {MIN_PASSWORD} characters, hard to guess: a few uncommon words "
        "work well.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )

    def __init__(self, *args: Any, account_email: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = account_email

    def validate_password(self, field: Field) -> None:
        if field.errors:  # too short or too long: that message is enough
            return
        email_field = getattr(self, "email", None)
        email = email_field.data if email_field is not None else self.account_email
        if problem := password_problem(field.data, email):
            raise ValidationError(problem)


class RegisterForm(NewPasswordForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[at_most_an_email],
    )


class SignupEmailForm(FlaskForm):
    """Sign-up when the site sends e-mail: the address first; the password after its link."""

    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[at_most_an_email],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[at_most_an_email],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")


class ResetPasswordForm(NewPasswordForm):
    pass


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.password.label.text = "New password"


class EndSessionsForm(FlaskForm):
    """ "Log out everywhere": a button, with its CSRF token."""


class DeleteAccountForm(FlaskForm):
    email = EmailField(
        "Type your email to confirm",
        validators=[DataRequired(), Length(max=254)],
        filters=[at_most_an_email],
    )
    password = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
