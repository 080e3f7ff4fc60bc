"""``/healthz`` (the process lives) and ``/readyz`` (its database, bus and storage answer)."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, jsonify


def health_blueprint(checks: dict[str, Callable[[], None]]) -> Blueprint:
    """Each check raises when its dependency is not reachable."""
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @bp.get("/readyz")
    def readyz():
        results, ready = {}, True
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:  # any failure means not ready
                results[name] = f"unavailable: {type(exc).__name__}"
                ready = False
        body = jsonify(status="ok" if ready else "unavailable", checks=results)
        return body, 200 if ready else 503

    return bp
