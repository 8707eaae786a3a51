"""E-mail for password-reset links, through the SMTP server in MAIL_SERVER (off when unset)."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from typing import Any


class MailNotSent(Exception):
    """The message could not be handed to the mail server; the text says why."""


def mail_enabled(config: Mapping[str, Any]) -> bool:
    return bool(config.get("MAIL_SERVER"))


def reset_link_message(sender: str, to: str, link: str, expires_at: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Set a new password for PM Interview Coach"
    message.set_content(
        "An admin of PM Interview Coach has made you a link to set a new password:\n\n"
        f"{link}\n\n"
        f"It works once, until {expires_at:%Y-%m-%d %H:%M} UTC. If you did not ask for it, "
        "you can ignore this message: your password stays as it is.\n"
    )
    return message


def send_reset_link(config: Mapping[str, Any], to: str, link: str, expires_at: datetime) -> None:
    """Send the link to `to`; any failure is MailNotSent, for the admin to read, never a 500."""
    message = reset_link_message(config["MAIL_SENDER"], to, link, expires_at)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=15) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        raise MailNotSent(f"{type(exc).__name__}: {exc}") from None
