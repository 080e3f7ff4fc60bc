"""A real SMTP server (aiosmtpd) on a free port, keeping what it receives. It offers SMTPUTF8
(RFC 6531) as today's servers do, unless told not to; it refuses for good (550) any recipient
whose address starts with ``refused-``."""
from __future__ import annotations

from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from tests.support.infra import free_port

REFUSED_PREFIX = "refused-"


class Inbox:
    def __init__(self):
        self.messages = []
        self.envelopes = []  # (mail_from, rcpt_tos, smtputf8) of each message received

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith(REFUSED_PREFIX):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), "SMTPUTF8" in envelope.mail_options))
        return "250 OK"


class SmtpServer:
    def __init__(self, smtputf8: bool = True):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
