"""Sending reminders by e-mail (SMTP) and SMS (a pluggable sender).

E-mail goes through the server that `SMTP_URL` names (``smtp://user:pass@host:port``;
``smtp://`` upgrades with STARTTLS when the server offers it, ``smtps://`` is TLS from the
start) from `MAIL_FROM`. SMS goes through the class `SMS_SENDER` names: any class with
``send(number, text)`` that raises `SendError` on refusal. The default only logs, so
nothing leaves the server until an operator names a real gateway's class.
"""

from __future__ import annotations

import importlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

#: Seconds to wait for the SMTP server before calling it unreachable.
SMTP_TIMEOUT = 20


class SendError(Exception):
    """A message could not be sent; the text says why (shown to staff, kept for a retry)."""


@dataclass(frozen=True)
class Mail:
    """One e-mail: its recipient, language, subject and plain text."""

    to: str
    language: str
    subject: str
    text: str


class SmtpMailer:
    """One SMTP connection for a batch: `send` each mail, then `close`."""

    def __init__(self, url: str | None, sender: str | None) -> None:
        if not url or not sender:
            raise SendError("SMTP_URL and MAIL_FROM are not both set: no e-mail can be sent.")
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SendError("SMTP_URL must look like smtp://user:password@host:port.")
        self.sender = sender
        try:
            if parts.scheme == "smtps":
                self.smtp = smtplib.SMTP_SSL(parts.hostname, parts.port or 465,
                                             timeout=SMTP_TIMEOUT,
                                             context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=SMTP_TIMEOUT)
                self.smtp.ehlo()
                if self.smtp.has_extn("starttls"):
                    self.smtp.starttls(context=ssl.create_default_context())
                    self.smtp.ehlo()
            if parts.username:
                self.smtp.login(unquote(parts.username), unquote(parts.password or ""))
        except (OSError, smtplib.SMTPException) as error:
            raise SendError(f"The mail server {parts.hostname}:{parts.port or ''} refused "
                            f"or did not answer: {error}") from error

    def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, mail.to, mail.subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(mail.text)
        message["Content-Language"] = mail.language  # after set_content, which clears Content-*
        try:
            self.smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise SendError(f"The mail server refused {mail.to}: {error}") from error

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


class LogSmsSender:
    """The default SMS sender: writes each message to the log and sends nothing."""

    def send(self, number: str, text: str) -> None:
        log.info("SMS (not sent, log-only sender) to %s: %s", number, text)


def sms_sender(path: str):
    """An instance of the SMS sender class at `path` ("package.module.Class")."""
    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)()
    except (ImportError, AttributeError, ValueError) as error:
        raise SendError(f"SMS_SENDER names no class that can be loaded: {path}") from error
