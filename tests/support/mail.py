"""The mail the suite sent, read where it really went: the SMTP test server's inbox
(production) or the `.eml` files under `$PORTAL_DATA_DIR/mail` (embedded defaults); and the
links in it, as the person it was sent to would open them."""
from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from tests.support.procs import wait_until


class Mailbox:
    """Everything sent to an SMTP server (``smtp``, a tests.support.smtp.SmtpServer) or written
    to ``folder``; ``before_read`` runs first (an in-process mailer's one round, say)."""

    def __init__(self, folder: Path | None = None, smtp=None, before_read=None):
        self.folder, self.smtp, self.before_read = folder, smtp, before_read

    @classmethod
    def of_stack(cls, stack) -> "Mailbox":
        """The mail of a suite started by tests.support.stack (its own mailer sends it)."""
        return cls(folder=stack.work_dir / "data" / "mail", smtp=stack.smtp)

    @classmethod
    def of_app(cls, app) -> "Mailbox":
        """The mail of an in-process membership app (tests/integration/membership): reading
        runs its mailer once."""
        from services.membership import mailer
        runtime = app.config["RUNTIME"]
        transport = mailer.Transport(runtime.config.smtp_url, runtime.config.data_dir / "mail")
        return cls(folder=runtime.config.data_dir / "mail", smtp=getattr(app, "smtp", None),
                   before_read=lambda: mailer.send_pending(runtime, transport))

    def messages(self, mentioning: str = "") -> list[EmailMessage]:
        """Every message sent so far, oldest first (of the files, those that mention ``mentioning``)."""
        if self.before_read:
            self.before_read()
        if self.smtp is not None:
            return list(self.smtp.inbox.messages)
        if not self.folder.exists():
            return []
        paths = sorted(self.folder.glob("*.eml"), key=lambda path: (path.stat().st_mtime_ns, path.name))
        raws = (path.read_bytes() for path in paths)
        return [message_from_bytes(raw, policy=policy.default) for raw in raws
                if mentioning.lower().encode() in raw.lower()]

    def to(self, address: str, containing: str = "") -> list[EmailMessage]:
        """The messages to ``address`` (ignoring case) whose plain text holds ``containing``."""
        return [m for m in self.messages(mentioning=address) if str(m["To"]).lower() == address.lower()
                and containing in text_of(m)]

    def link(self, address: str, kind: str, timeout: float = 15) -> str:
        """The token of the newest ``/<kind>/<token>`` link mailed to ``address``, waiting for
        the mail to arrive; ``kind`` is ``verify-email`` or ``invitations``."""
        pattern = re.compile(rf"https?://\S+/{re.escape(kind)}/([A-Za-z0-9_\-]+)")

        def find():
            found = [pattern.search(text_of(m)) for m in self.to(address, f"/{kind}/")]
            return found[-1].group(1) if found else None
        return wait_until(find, timeout, 0.1, f"a {kind} mail to {address}")


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def verify_email(call, mailbox: Mailbox, address: str) -> None:
    """Confirm ``address`` as its owner does: the token of the mailed link, posted to
    ``POST /api/v1/accounts/verify`` through ``call(method, path, json=...)``."""
    answer = call("POST", "/api/v1/accounts/verify", json={"token": mailbox.link(address, "verify-email")})
    status = getattr(answer, "status_code", None)
    assert status == 204, (status, getattr(answer, "text", answer))
