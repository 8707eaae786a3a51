from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

MIN_PASSWORD = 10


class NewPasswordForm(FlaskForm):
    """A new password, typed twice: the same rules wherever a password is set."""

    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=f"At least {MIN_PASSWORD} characters.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class RegisterForm(NewPasswordForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")


class ResetPasswordForm(NewPasswordForm):
    pass


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.password.label.text = "New password"


class DeleteAccountForm(FlaskForm):
    email = EmailField("Type your email to confirm", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
