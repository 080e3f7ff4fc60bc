"""Outgoing mail: SMTP when ``SMTP_URL`` is set, else one RFC 5322 ``.eml`` file per message
under ``$PORTAL_DATA_DIR/mail/``. Messages wait in the ``outgoing_mail`` table (written in
the same transaction as the invitation); a failed send is retried with backoff and never
lost; once sent, the body is blanked.

Every header is built by the email library (``EmailMessage`` with policy ``SMTP`` or
``SMTPUTF8``, ``headerregistry.Address``) from values checked here: the recipient by
email-validator, names and subjects as one line of text. An internationalised address goes
out as it is (RFC 6531/6532) when the server offers SMTPUTF8, else with its domain in IDNA;
one that needs SMTPUTF8 from a server without it, an address that is not valid, or a refusal
for good (SMTP 5xx) sets that mail aside with its reason (``failed_at``, ``last_error``) and
the mailer goes on with the next one: one bad mail never stops the others."""
from __future__ import annotations

import os
import smtplib
import threading
import uuid
from datetime import timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import structlog
from sqlalchemy import select

from services.common.db import utcnow
from services.common.runtime import Runtime

from .mail_values import AddressRefused, checked_address, one_line
from .models import OutgoingMail

log = structlog.get_logger("mailer")
SENDER = os.environ.get("MAIL_FROM", "Partner Experts Portal <no-reply@experts-portal.local>")
MESSAGE_ID_DOMAIN = "experts-portal.local"


class Undeliverable(Exception):
    """This mail can never be sent as it is; the message says why, for an operator."""


def sender_address(text: str = SENDER) -> Address:
    """``MAIL_FROM`` (``Name <address>`` or an address) as a header value; ValueError when it
    is not one ASCII address (an operator's setting, read when the mailer starts)."""
    name, addr = parseaddr(text)
    if "@" not in addr or not addr.isascii():
        raise ValueError(f"MAIL_FROM is not one ASCII address: {text!r}")
    return Address(display_name=one_line(name), addr_spec=addr)


def compose(mail: OutgoingMail, smtputf8: bool, sender: Address | None = None) -> EmailMessage:
    """The message for ``mail``; ``smtputf8``: may the recipient's address stay in Unicode
    (RFC 6532 headers, sent with SMTPUTF8)? ``Undeliverable`` when no message can be built."""
    try:
        recipient = checked_address(mail.recipient)
    except AddressRefused as exc:
        raise Undeliverable(f"the recipient's address is not valid: {exc}") from exc
    international = smtputf8 and not recipient.normalized.isascii()
    if not international and recipient.ascii_email is None:
        raise Undeliverable("the recipient's address needs SMTPUTF8 (RFC 6531), which the mail server does not offer")
    # 7bit bodies (quoted-printable for non-ASCII text) unless SMTPUTF8 goes with 8BITMIME
    message = EmailMessage(policy=policy.SMTPUTF8 if international else policy.SMTP.clone(cte_type="7bit"))
    try:
        message["From"] = sender or sender_address()
        # Python's Address refuses a non-ASCII local part, so a Unicode address goes in as the
        # header's text: email-validator has checked it, the header parser reads it (RFC 6532)
        message["To"] = recipient.normalized if international else _address(recipient.ascii_email)
        message["Subject"] = one_line(mail.subject)
        message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain=MESSAGE_ID_DOMAIN)
        message.set_content(mail.body)  # text/plain only: nothing a partner typed is ever HTML
    except (ValueError, TypeError) as exc:
        raise Undeliverable(f"the message cannot be built: {exc}") from exc
    return message


def _address(ascii_email: str) -> Address:
    local, _, domain = ascii_email.rpartition("@")
    return Address(username=local, domain=domain)


class Transport:
    """Where mail goes: an SMTP server or a folder."""

    def __init__(self, smtp_url: str | None, folder: Path, sender: Address | None = None):
        self.smtp_url, self.folder = smtp_url, Path(folder)
        self.sender = sender or sender_address()

    def send(self, mail: OutgoingMail) -> None:
        """Send one mail. ``Undeliverable`` for good; ``OSError`` or ``smtplib.SMTPException``
        when a later try may succeed."""
        if self.smtp_url:
            parts = urlsplit(self.smtp_url)
            with smtplib.SMTP(parts.hostname, parts.port or 25, timeout=10) as smtp:
                smtp.ehlo()
                if parts.username:
                    smtp.login(parts.username, parts.password or "")
                message = compose(mail, smtp.has_extn("smtputf8"), self.sender)
                try:
                    smtp.send_message(message)
                except smtplib.SMTPNotSupportedError as exc:
                    raise Undeliverable(str(exc)) from exc
                except smtplib.SMTPRecipientsRefused as exc:
                    _permanent_if_5xx([code for code, _ in exc.recipients.values()], exc)
                    raise
                except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                    _permanent_if_5xx([exc.smtp_code], exc)
                    raise
            return
        message = compose(mail, True, self.sender)
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(bytes(message))
        os.replace(tmp, self.folder / name)


def _permanent_if_5xx(codes: list[int], exc: Exception) -> None:
    if codes and all(500 <= code < 600 for code in codes):
        raise Undeliverable(f"the mail server refused it for good: {exc}") from exc


def send_pending(runtime: Runtime, transport: Transport, batch: int = 50) -> int:
    """Send what is due; the number sent. A mail that cannot be sent for good is set aside."""
    sent = 0
    with runtime.db.transaction() as session:
        due = session.scalars(select(OutgoingMail).where(OutgoingMail.sent_at.is_(None),
                                                         OutgoingMail.failed_at.is_(None),
                                                         OutgoingMail.next_attempt_at <= utcnow())
                              .order_by(OutgoingMail.id).limit(batch)).all()
        for mail in due:
            mail.attempts += 1
            try:
                transport.send(mail)
            except (OSError, smtplib.SMTPException) as exc:
                mail.last_error = repr(exc)[:500]
                mail.next_attempt_at = utcnow() + timedelta(seconds=min(300, 2 ** mail.attempts))
                log.warning("mail not sent, will retry", mail_id=mail.id, attempts=mail.attempts, error=repr(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - Undeliverable, or a fault of ours: this mail only
                set_aside(mail, exc)
                continue
            mail.sent_at, mail.body = utcnow(), ""
            sent += 1
    return sent


def set_aside(mail: OutgoingMail, reason: Exception) -> None:
    text = str(reason) if isinstance(reason, Undeliverable) else f"unexpected: {reason!r}"
    mail.failed_at, mail.last_error = utcnow(), text[:500]
    log.error("mail set aside: it will not be tried again until an operator retries it",
              mail_id=mail.id, reason=mail.last_error)


def run(runtime: Runtime, stop: threading.Event, every: float = 0.5) -> None:
    """Send mail until ``stop``; a failing round (the database away) is logged and tried again."""
    transport = Transport(runtime.config.smtp_url, runtime.config.data_dir / "mail")
    while not stop.is_set():
        try:
            if send_pending(runtime, transport):
                continue
        except Exception as exc:  # noqa: BLE001 - the mailer outlives any one round
            log.exception("mail round failed, trying again", error=repr(exc))
        stop.wait(every)


def set_aside_mails(session) -> list[OutgoingMail]:
    """The mails set aside, oldest first (what an operator looks at)."""
    return session.scalars(select(OutgoingMail).where(OutgoingMail.failed_at.is_not(None))
                           .order_by(OutgoingMail.id)).all()


def retry(session, ids: list[int] | None) -> int:
    """Put set-aside mails (all when ``ids`` is None) back in line; the number put back."""
    mails = [m for m in set_aside_mails(session) if ids is None or m.id in ids]
    for mail in mails:
        mail.failed_at, mail.next_attempt_at = None, utcnow()
    return len(mails)
