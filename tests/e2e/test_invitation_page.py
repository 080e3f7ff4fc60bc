"""The invitation page (issue 18, point 6) over HTTP on both configurations: it names the
company and who invited, prefills the invited address, offers another account when the
signed-in one is not invited, and sends someone who already joined to the dashboard. The
facts come from membership by the token alone, without using it."""
import html
import re

from tests.support.mail import Mailbox
from tests.support.portal import Browser

from .helpers import new_partner, sign_up


def test_the_invitation_page_names_the_company_and_inviter_and_handles_each_account(stack):
    admin = sign_up(stack, "Ines")
    partner = new_partner(stack, admin)
    pid = partner["id"]
    invitee, stranger = sign_up(stack, "Otto"), sign_up(stack, "Stranger")
    sent = stack.call("POST", f"/api/v1/partners/{pid}/invitations", admin["token"],
                      json={"emails": [invitee["email"]]})
    assert sent.status_code == 201, sent.text
    token = Mailbox.of_stack(stack).link(invitee["email"], "invitations")

    anonymous = Browser(stack)
    page = anonymous.get(f"/invitations/{token}")
    text = html.unescape(page.text)
    assert page.status_code == 200
    assert f"Join {partner['name']}" in text and "Ines" in text and invitee["email"] in text
    for label in ("Sign in", "Create an account"):                      # each link prefills the address
        [link] = re.findall(rf'href="([^"]+)">{label}</a>', page.text)
        assert f'value="{invitee["email"]}"' in html.unescape(anonymous.get(html.unescape(link)).text)

    other = Browser(stack)
    other.sign_in(stranger)
    mismatch = html.unescape(other.get(f"/invitations/{token}").text)
    assert f"signed in as <strong>{stranger['email']}</strong>" in mismatch and "Use another account" in mismatch
    switched = other.post(f"/invitations/{token}/switch-account")
    assert switched.status_code == 303 and "/portal/signin" in switched.headers["Location"]
    assert other.get("/portal").status_code == 302                          # signed out
    assert f'value="{invitee["email"]}"' in html.unescape(other.get(switched.headers["Location"]).text)
    signed = other.sign_in(invitee, next_path=f"/invitations/{token}")
    assert signed.headers["Location"] == f"/invitations/{token}"
    assert "Join " + partner["name"] in html.unescape(other.get(f"/invitations/{token}").text)
    joined = other.post(f"/invitations/{token}")
    assert joined.status_code == 303 and joined.headers["Location"] == f"/portal/p/{pid}"
    again = other.get(f"/invitations/{token}")                              # already a member
    assert again.status_code == 303 and again.headers["Location"] == f"/portal/p/{pid}"
    used = anonymous.get(f"/invitations/{token}")
    assert used.status_code == 410 and "already been used" in used.text


def test_an_unknown_invitation_token_is_404_and_membership_lookup_is_not_public(stack):
    page = Browser(stack).get("/invitations/not-a-real-token-" + "x" * 20)
    assert page.status_code == 404 and "not valid" in page.text
    outside = stack.call("POST", "/internal/v1/invitations:lookup", json={"token": "anything"})
    assert outside.status_code == 404
