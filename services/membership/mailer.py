"""Outgoing mail: SMTP when ``SMTP_URL`` is set, else one RFC 5322 ``.eml`` file per message
under ``$PORTAL_DATA_DIR/mail/``. Messages wait in the ``outgoing_mail`` table (written in
the same transaction as the invitation); a failed send is retried with backoff and never
lost; once sent, the body is blanked."""
from __future__ import annotations

import os
import smtplib
import threading
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

import structlog
from sqlalchemy import select

from services.common.db import utcnow
from services.common.runtime import Runtime

from .models import OutgoingMail

log = structlog.get_logger("mailer")
SENDER = os.environ.get("MAIL_FROM", "Partner Experts Portal <no-reply@experts-portal.local>")


def compose(mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = SENDER, mail.recipient, mail.subject
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="experts-portal.local")
    message.set_content(mail.body)  # text/plain only: nothing a partner typed is ever HTML
    return message


class Transport:
    """Where mail goes: an SMTP server or a folder."""

    def __init__(self, smtp_url: str | None, folder: Path):
        self.smtp_url, self.folder = smtp_url, Path(folder)

    def send(self, message: EmailMessage) -> None:
        if self.smtp_url:
            parts = urlsplit(self.smtp_url)
            with smtplib.SMTP(parts.hostname, parts.port or 25, timeout=10) as smtp:
                if parts.username:
                    smtp.login(parts.username, parts.password or "")
                smtp.send_message(message)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(bytes(message))
        os.replace(tmp, self.folder / name)


def send_pending(runtime: Runtime, transport: Transport, batch: int = 50) -> int:
    """Send what is due; the number sent."""
    sent = 0
    with runtime.db.transaction() as session:
        due = session.scalars(select(OutgoingMail).where(OutgoingMail.sent_at.is_(None),
                                                         OutgoingMail.next_attempt_at <= utcnow())
                              .order_by(OutgoingMail.id).limit(batch)).all()
        for mail in due:
            try:
                transport.send(compose(mail))
            except (OSError, smtplib.SMTPException) as exc:
                mail.attempts += 1
                mail.last_error = repr(exc)[:500]
                mail.next_attempt_at = utcnow() + timedelta(seconds=min(300, 2 ** mail.attempts))
                log.warning("mail not sent, will retry", mail_id=mail.id, attempts=mail.attempts, error=repr(exc))
                continue
            mail.sent_at, mail.body, mail.attempts = utcnow(), "", mail.attempts + 1
            sent += 1
    return sent


def run(runtime: Runtime, stop: threading.Event, every: float = 0.5) -> None:
    transport = Transport(runtime.config.smtp_url, runtime.config.data_dir / "mail")
    while not stop.is_set():
        if not send_pending(runtime, transport):
            stop.wait(every)
