"""Mail built from what users and operators typed: a name never adds a header or a line of
the sender's choosing, any Unicode name and address is delivered, and a mail that can never
be sent is set aside with its reason while the next one goes out."""
from __future__ import annotations

import uuid

import pytest

from services.membership import mailer
from services.membership.models import Account, OutgoingMail, Partner
from tests.integration.membership.conftest import OPERATOR
from tests.integration.membership.test_accounts_and_team import PASSWORD, account, invite, partner
from tests.support.mail import Mailbox, text_of
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration
HOSTILE = ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x00", "\x1b", "\u202e", "\udc80"]
HEADERS = {"From", "To", "Subject", "Date", "Message-ID", "Content-Type", "Content-Transfer-Encoding",
           "MIME-Version"}


def test_a_name_with_a_line_break_or_a_control_character_is_refused_by_the_api(app):
    client = app.test_client()
    admin = account(client, "Admin")
    partner(client, admin)
    for char in HOSTILE + [" \t "]:
        name = f"Eve{char}Bcc: victim@example.com" if char.strip() else char
        signed_up = client.post("/api/v1/accounts", json={"email": f"eve-{uuid.uuid4().hex[:6]}@example.com",
                                                          "password": PASSWORD, "name": name})
        granted = client.post("/internal/v1/partners", headers=OPERATOR, json={
            "name": name, "slug": f"p-{uuid.uuid4().hex[:8]}", "admin_email": admin["email"]})
        for answer in (signed_up, granted):
            assert (answer.status_code, answer.get_json()["code"]) == (422, "validation_error"), repr(char)


def test_names_stored_before_the_check_add_no_header_and_no_line_to_an_invitation(app):
    client = app.test_client()
    admin = account(client, "Admin")
    pid = partner(client, admin)
    runtime = app.config["RUNTIME"]
    with runtime.db.transaction() as session:  # as rows written before names were checked
        session.get(Account, admin["id"]).name = "Eve\r\nBcc: victim@example.com\r\n\r\nClick http://evil.example"
        session.get(Partner, pid).name = "Acme\u2028X-Injected: yes\nReply-To: thief@evil.example"
    invitee = f"invitee-{uuid.uuid4().hex[:6]}@example.com"
    assert invite(client, pid, admin, invitee).status_code == 201
    [mail] = Mailbox.of_app(app).to(invitee, "/invitations/")
    assert set(mail.keys()) == HEADERS
    assert mail["Subject"] == "Join Acme X-Injected: yes Reply-To: thief@evil.example on the Partner Experts Portal"
    first_line = text_of(mail).splitlines()[0]
    assert first_line.startswith("Eve Bcc: victim@example.com Click http://evil.example invited you")
    if app.smtp:
        assert app.smtp.inbox.envelopes[-1][1] == [invitee]


def test_a_unicode_name_and_an_internationalised_address_are_delivered(app):
    client = app.test_client()
    admin = account(client, "Admin")
    pid = partner(client, admin)
    with app.config["RUNTIME"].db.transaction() as session:
        session.get(Partner, pid).name = "Société Ünïcode 山田"
    address = f"josé-{uuid.uuid4().hex[:6]}@exämple.com"
    joiner = account(client, "José Ñúñez 山田", email=address)
    assert joiner["name"] == "José Ñúñez 山田" and joiner["email"] == address
    assert invite(client, pid, admin, address).status_code == 201
    [mail] = Mailbox.of_app(app).to(address, "/invitations/")
    assert mail["Subject"] == "Join Société Ünïcode 山田 on the Partner Experts Portal"
    assert "invited you to join Société Ünïcode 山田" in text_of(mail)
    if app.smtp:
        mail_from, recipients, smtputf8 = app.smtp.inbox.envelopes[-1]
        assert recipients == [address] and smtputf8


def test_without_smtputf8_a_domain_goes_in_idna_and_a_unicode_local_part_is_set_aside(app):
    server = SmtpServer(smtputf8=False).start()
    try:
        runtime = app.config["RUNTIME"]
        with runtime.db.transaction() as session:
            session.add_all([OutgoingMail(recipient="josé@exämple.com", subject="Unicode local part", body="x"),
                             OutgoingMail(recipient="jose@exämple.com", subject="Unicode domain", body="Hi José")])
        transport = mailer.Transport(server.url, runtime.config.data_dir / "mail")
        assert mailer.send_pending(runtime, transport) == 1
        [(_, recipients, smtputf8)] = server.inbox.envelopes
        assert recipients == ["jose@xn--exmple-cua.com"] and not smtputf8
        assert text_of(server.inbox.messages[0]).strip() == "Hi José"
        with runtime.db.transaction() as session:
            [aside] = mailer.set_aside_mails(session)
            assert aside.recipient == "josé@exämple.com" and "SMTPUTF8" in aside.last_error
    finally:
        server.stop()


def test_a_mail_that_can_never_be_sent_is_set_aside_and_the_next_goes_out_until_an_operator_retries(app, smtp):
    runtime = app.config["RUNTIME"]
    with runtime.db.transaction() as session:
        session.add_all([OutgoingMail(recipient="a@b\r\nBcc: victim@example.com", subject="bad address", body="x"),
                         OutgoingMail(recipient="refused-someone@example.com", subject="refused", body="x"),
                         OutgoingMail(recipient="ok@example.com", subject="Hello\r\nBcc: victim@example.com",
                                      body="the next one")])
    transport = mailer.Transport(smtp.url, runtime.config.data_dir / "mail")
    before = len(smtp.inbox.messages)
    assert mailer.send_pending(runtime, transport) == 1
    [delivered] = smtp.inbox.messages[before:]
    assert delivered["Subject"] == "Hello Bcc: victim@example.com" and set(delivered.keys()) == HEADERS
    assert smtp.inbox.envelopes[-1][1] == ["ok@example.com"]
    with runtime.db.transaction() as session:
        reasons = {m.subject: m.last_error for m in mailer.set_aside_mails(session)}
    assert "not valid" in reasons["bad address"] and "550" in reasons["refused"]
    assert mailer.send_pending(runtime, transport) == 0              # not tried again by itself
    with runtime.db.transaction() as session:
        assert mailer.retry(session, None) == 2
    assert mailer.send_pending(runtime, transport) == 0
    with runtime.db.transaction() as session:
        assert len(mailer.set_aside_mails(session)) == 2
