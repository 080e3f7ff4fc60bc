"""Mail on both configurations: names with line breaks are refused at the door, a Unicode name
and an internationalised address are delivered (SMTPUTF8 server, or the .eml folder), and a
mail that can never be sent is set aside while the mailer goes on with the next."""
import os
import uuid

import pytest
import sqlalchemy as sa

from tests.e2e.helpers import sign_up, verified
from tests.support.mail import Mailbox, text_of
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"


def membership_database(stack) -> sa.Engine:
    url = stack.env.get("MEMBERSHIP_DATABASE_URL") or f"sqlite:///{stack.work_dir / 'data' / 'membership.sqlite3'}"
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def test_names_with_line_breaks_are_refused_and_unicode_names_and_addresses_are_delivered(stack):
    admin = verified(stack, sign_up(stack, "Admin"))
    for char in ("\r\n", "\n", "\u2028", "\x85", "\x00"):
        name = f"Eve{char}Bcc: victim@example.com"
        signed_up = stack.call("POST", "/api/v1/accounts", json={
            "email": f"eve-{uuid.uuid4().hex[:6]}@example.com", "password": PASSWORD, "name": name})
        granted = stack.operator("POST", "/internal/v1/partners", json={
            "name": name, "slug": f"p-{uuid.uuid4().hex[:8]}", "admin_email": admin["email"]})
        for answer in (signed_up, granted):
            assert (answer.status_code, answer.json()["code"]) == (422, "validation_error"), repr(char)

    granted = stack.operator("POST", "/internal/v1/partners", json={
        "name": "Société Ünïcode 山田", "slug": f"p-{uuid.uuid4().hex[:8]}", "admin_email": admin["email"]})
    assert granted.status_code == 201, granted.text
    address = f"josé-{uuid.uuid4().hex[:6]}@exämple.com"
    created = stack.call("POST", "/api/v1/accounts", json={"email": address, "password": PASSWORD,
                                                           "name": "José Ñúñez 山田"})
    assert created.status_code == 201 and created.json()["email"] == address, created.text
    mailbox = Mailbox.of_stack(stack)
    mailbox.link(address, "verify-email")                                   # delivered to the Unicode address
    sent = stack.call("POST", f"/api/v1/partners/{granted.json()['id']}/invitations", admin["token"],
                      json={"emails": [address]})
    assert sent.status_code == 201, sent.text
    mailbox.link(address, "invitations")
    [invitation] = mailbox.to(address, "/invitations/")
    assert invitation["Subject"] == "Join Société Ünïcode 山田 on the Partner Experts Portal"
    assert "Admin invited you to join Société Ünïcode 山田" in text_of(invitation)


def test_a_mail_that_can_never_be_sent_is_set_aside_and_the_mailer_goes_on(stack):
    database = membership_database(stack)
    with database.begin() as connection:  # as a row written before addresses were checked
        bad_id = connection.execute(sa.text(
            "INSERT INTO outgoing_mail (recipient, subject, body, created_at, next_attempt_at, attempts) "
            "VALUES (:r, 'bad', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0) RETURNING id"),
            {"r": "a@b\r\nBcc: victim@example.com"}).scalar()
    later = sign_up(stack, "Later")
    Mailbox.of_stack(stack).link(later["email"], "verify-email")           # the next mail went out

    def set_aside():
        with database.connect() as connection:
            return connection.execute(sa.text("SELECT failed_at, last_error FROM outgoing_mail WHERE id = :id"),
                                      {"id": bad_id}).one()
    failed_at, reason = wait_until(lambda: (row := set_aside())[0] is not None and row, 15, 0.1, "set aside")
    assert "not valid" in reason
    os.killpg(stack.pid_of("membership.mailer"), 0)                          # still running
    database.dispose()
