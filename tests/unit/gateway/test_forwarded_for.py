"""The gateway tells services who called: its own view of the caller's address, never the
caller's claim."""
from flask import Flask, request

from gateway.frontdoor.clients import ServiceClient


class RecordingClient(ServiceClient):
    """Records what would be sent instead of sending it (no service in a unit test)."""

    def _send(self, method, path, query, headers, body):
        self.sent = headers
        raise LookupError("recorded")


def test_the_callers_own_x_forwarded_for_is_replaced_by_its_address():
    client = RecordingClient("membership", "http://127.0.0.1:9")
    app = Flask("t")
    with app.test_request_context("/api/v1/sessions", method="POST", json={},
                                  headers={"X-Forwarded-For": "1.2.3.4"}, environ_base={"REMOTE_ADDR": "10.9.8.7"}):
        try:
            client.forward(request, request.path)
        except LookupError:
            pass
    assert client.sent["X-Forwarded-For"] == "10.9.8.7"


def test_the_gateway_proves_its_x_forwarded_for_and_passes_only_the_known_device_cookie():
    from types import SimpleNamespace

    from services.common.auth import GATEWAY_PROOF_HEADER, gateway_proof
    client = RecordingClient("membership", "http://127.0.0.1:9")
    app = Flask("t")
    app.config["PORTAL"] = SimpleNamespace(operator_token="op-token")
    cookies = "portal_session=secret-session; known_device=abc.DEF_12-3; other=x"
    with app.test_request_context("/api/v1/sessions", method="POST", json={},
                                  headers={"Cookie": cookies, GATEWAY_PROOF_HEADER: "forged"},
                                  environ_base={"REMOTE_ADDR": "10.9.8.7"}):
        try:
            client.forward(request, request.path)
        except LookupError:
            pass
    assert client.sent[GATEWAY_PROOF_HEADER] == gateway_proof("op-token") != "op-token"
    assert client.sent["Cookie"] == "known_device=abc.DEF_12-3"  # never the portal's session cookie
    with app.test_request_context("/api/v1/sessions", method="POST", json={},
                                  headers={"Cookie": "known_device=\"a b,c\""}):
        try:
            client.forward(request, request.path)
        except LookupError:
            pass
    assert "Cookie" not in client.sent
