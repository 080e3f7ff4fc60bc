"""The access log keeps the path of a request but never an invitation's secret token."""
from types import SimpleNamespace

from gunicorn.config import Config

from deploy.accesslog import RedactingLogger


def test_an_invitation_token_is_redacted_from_the_access_log():
    logger = RedactingLogger(Config())
    request = SimpleNamespace(method="GET", path="/invitations/s3cr3t-token", query="", version=(1, 1),
                              uri="/invitations/s3cr3t-token", headers=[])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], status_code=200)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/invitations/s3cr3t-token", "PATH_INFO": "/invitations/s3cr3t-token",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "QUERY_STRING": ""}
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1000))
    assert "s3cr3t" not in str(atoms["U"]) + str(atoms["r"]) and atoms["U"] == "/invitations/<redacted>"


def test_other_paths_are_logged_as_they_are():
    logger = RedactingLogger(Config())
    request = SimpleNamespace(method="GET", path="/experts/acme", query="", version=(1, 1), uri="/experts/acme",
                              headers=[])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], status_code=200)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/experts/acme", "PATH_INFO": "/experts/acme",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "QUERY_STRING": ""}
    assert logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1000))["U"] == "/experts/acme"


def test_every_image_has_the_access_logger_its_gunicorn_settings_name():
    from pathlib import Path
    root = Path(__file__).resolve().parents[3]
    assert "deploy.accesslog.RedactingLogger" in (root / "deploy" / "gunicorn.conf.py").read_text()
    assert "deploy/accesslog.py" in (root / "deploy" / "docker" / "base.Dockerfile").read_text()
