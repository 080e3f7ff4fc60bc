"""gunicorn's access log without secrets: an invitation link's token never reaches the logs."""
from __future__ import annotations

from gunicorn.glogging import Logger

from services.common.logs import redact_path


class RedactingLogger(Logger):
    """The access log line with the secret part of a path replaced."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):  # the path, and the whole request line
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_path(atoms[key])
        return atoms
