"""gunicorn binds GATEWAY_ADMIN_PORT for the gateway only (deploy/gunicorn.conf.py), and the
gateway tells its ports apart by the socket a request came in on, not by what the client says."""
import runpy
import socket

import pytest

from gateway.frontdoor.security import local_port
from tests.support.procs import ROOT

CONF = str(ROOT / "deploy" / "gunicorn.conf.py")


@pytest.mark.parametrize("app, binds", [("gateway.wsgi:app", ["127.0.0.1:8000", "127.0.0.1:9000"]),
                                        ("services.catalog.wsgi:app", ["127.0.0.1:8000"])])
def test_the_admin_port_is_bound_by_the_gateway_alone(monkeypatch, app, binds):
    monkeypatch.setenv("GATEWAY_ADMIN_PORT", "9000")
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "8000")
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.setattr("sys.argv", ["gunicorn", "-c", CONF, app])
    assert runpy.run_path(CONF)["bind"] == binds


def test_the_port_is_the_listening_sockets_not_the_host_header():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        with client, accepted:
            environ = {"gunicorn.socket": accepted, "SERVER_PORT": "9000", "HTTP_HOST": "example:9000"}
            assert local_port(environ) == listener.getsockname()[1]
    assert local_port({"SERVER_PORT": "8123"}) == 8123  # werkzeug's test client: its base_url's port
