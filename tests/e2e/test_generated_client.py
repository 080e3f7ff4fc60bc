"""A partner's script as generated clients are written: openapi-python-client builds a client
from the gateway's /openapi.json at test time (offline, no formatter run), and the journey
goes through it: sign up, verify the address, sign in, create a use case, list it, search
talent. What the document says is what the generated code expects; a mismatch fails here."""
import importlib
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from tests.e2e.helpers import eligible_talent, put_talent
from tests.support.mail import Mailbox
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
CONFIG = "post_hooks: []\npackage_name_override: portal_client\nproject_name_override: portal_client\n"


@pytest.fixture(scope="module")
def generated(stack, tmp_path_factory):
    if stack.name != "embedded":
        pytest.skip("the document does not depend on the backends")
    work = tmp_path_factory.mktemp("generated-client")
    (work / "openapi.json").write_bytes(requests.get(f"{stack.url}/openapi.json", timeout=10).content)
    (work / "config.yaml").write_text(CONFIG)
    done = subprocess.run([str(GENERATOR), "generate", "--path", str(work / "openapi.json"), "--meta", "none",
                           "--output-path", str(work / "portal_client"), "--config", str(work / "config.yaml")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(work))
    try:
        yield lambda name: importlib.import_module(f"portal_client.{name}")
    finally:
        sys.path.remove(str(work))
        for module in [m for m in sys.modules if m == "portal_client" or m.startswith("portal_client.")]:
            del sys.modules[module]


def test_a_partner_journey_through_a_client_generated_from_the_document(stack, generated):
    client_module, models = generated("client"), generated("models")
    api = {name: generated(f"api.{tag}.{name}") for tag, name in (
        ("accounts", "post_api_v1_accounts"), ("accounts", "post_api_v1_accounts_verify"),
        ("accounts", "post_api_v1_sessions"), ("accounts", "get_api_v1_me"),
        ("internal", "post_internal_v1_partners"), ("catalog", "post_api_v1_partners_pid_use_cases"),
        ("catalog", "get_api_v1_partners_pid_use_cases"), ("catalog", "get_api_v1_partners_pid_talent"))}
    anonymous = client_module.Client(base_url=stack.url, raise_on_unexpected_status=True)
    email, password = f"gen-{uuid.uuid4().hex[:8]}@example.com", "generated clients read the contract"

    account = api["post_api_v1_accounts"].sync_detailed(client=anonymous, body=models.MembershipCreateAccount(
        email=email, password=password, name="Grace"))
    assert account.status_code == 201 and account.parsed.email == email
    token = Mailbox.of_stack(stack).link(email, "verify-email")
    verified = api["post_api_v1_accounts_verify"].sync_detailed(
        client=anonymous, body=models.MembershipVerifyEmail(token=token))
    assert verified.status_code == 204
    session = api["post_api_v1_sessions"].sync(client=anonymous, body=models.MembershipCreateSession(
        email=email, password=password))
    assert session.token_type == "Bearer" and session.expires_in > 0

    operator = client_module.AuthenticatedClient(base_url=stack.url, token=stack.operator_token)
    slug = f"gen-{uuid.uuid4().hex[:8]}"
    partner = api["post_internal_v1_partners"].sync(client=operator, body=models.MembershipGrantAccess(
        name="Generated Partner", slug=slug, admin_email=email))
    assert partner.slug == slug

    member = client_module.AuthenticatedClient(base_url=stack.url, token=session.access_token)
    me = api["get_api_v1_me"].sync(client=member)
    assert [p.id for p in me.partners] == [partner.id]
    for doc in eligible_talent(2, seed=7, skills=["Zapier"]):
        put_talent(stack, doc)
    use_case = wait_until(lambda: isinstance(made := api["post_api_v1_partners_pid_use_cases"].sync(
        pid=partner.id, client=member, body=models.CatalogCreateUseCase(name="Email Automation")),
        models.CatalogUseCase) and made, 10, 0.1, "the partner reaching catalog")
    listed = api["get_api_v1_partners_pid_use_cases"].sync(pid=partner.id, client=member)
    assert [(u.id, u.name, u.counts.pending) for u in listed.items] == [(use_case.id, "Email Automation", 0)]
    found = wait_until(lambda: (page := api["get_api_v1_partners_pid_talent"].sync(
        pid=partner.id, client=member, skill="Zapier", limit=200)).items and page, 15, 0.1, "talent reaching catalog")
    assert found.items[0].skills and "Zapier" in found.items[0].skills

    refused = api["post_api_v1_partners_pid_use_cases"].sync_detailed(
        pid=partner.id, client=member, body=models.CatalogCreateUseCase(name="email automation"))
    assert refused.status_code == 409 and refused.parsed.code == "use_case_exists"
