"""E-mail through the SMTP server in MAIL_SERVER (off unless PUBLIC_URL is set too): password-
reset links, sign-up links, and the note to an account's owner that someone tried to sign up with
their address."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from flask import url_for


class MailNotSent(Exception):
    """The message could not be handed to the mail server; the text says why."""


def mail_enabled(config: Mapping[str, Any]) -> bool:
    """Mail is sent only with a server and the site's public address: the links it carries are
    built from PUBLIC_URL, never from a request's Host header, which a visitor chooses (signing
    up with someone's address and a forged Host would mail them a link to another site)."""
    return bool(config.get("MAIL_SERVER") and config.get("PUBLIC_URL"))


def public_link(config: Mapping[str, Any], endpoint: str, **values: Any) -> str:
    """An absolute link for someone to follow: on PUBLIC_URL when it is set, else on the host
    the current request came to (good enough for a link shown to the person who asked)."""
    if base := config.get("PUBLIC_URL"):
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def reset_link_message(sender: str, to: str, link: str, expires_at: datetime) -> EmailMessage:
    return _message(
        sender,
        to,
        "Set a new password for PM Interview Coach",
        "An admin of PM Interview Coach has made you a link to set a new password:\n\n"
        f"{link}\n\n"
        f"It works once, until {expires_at:%Y-%m-%d %H:%M} UTC. If you did not ask for it, "
        "you can ignore this message: your password stays as it is.\n",
    )


def signup_link_message(sender: str, to: str, link: str, hours: float) -> EmailMessage:
    return _message(
        sender,
        to,
        "Finish signing up for PM Interview Coach",
        "Someone, hopefully you, asked to create a PM Interview Coach account with this "
        "address. To choose your password and start practising, open:\n\n"
        f"{link}\n\n"
        f"The link works for {hours:g} hours. If it was not you, ignore this message: no "
        "account is made.\n",
    )


def signup_attempt_message(sender: str, to: str, login_link: str) -> EmailMessage:
    return _message(
        sender,
        to,
        "Someone tried to sign up with your address",
        "Someone, perhaps you, tried to create a PM Interview Coach account with this address, "
        "but it already has one. Nothing was changed.\n\n"
        f"To use your account, log in at {login_link}. If you have forgotten your password, ask "
        "an admin of the site for a reset link. If it was not you, you can ignore this "
        "message.\n",
    )


def send(config: Mapping[str, Any], message: EmailMessage) -> None:
    """Hand `message` to the mail server; any failure is MailNotSent, to be shown or logged,
    never a 500. Its sender is MAIL_SENDER."""
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=15) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        raise MailNotSent(f"{type(exc).__name__}: {exc}") from None


def send_reset_link(config: Mapping[str, Any], to: str, link: str, expires_at: datetime) -> None:
    """Send the link to `to`; any failure is MailNotSent, for the admin to read."""
    send(config, reset_link_message(config["MAIL_SENDER"], to, link, expires_at))
