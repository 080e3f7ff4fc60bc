"""Every part of the suite and the processes it runs. Deployment files and the local
runner are checked against this list."""
from __future__ import annotations

import os
import sys

PARTS = {
    "membership": ("web", "relay", "mailer"),
    "catalog": ("web", "consumer", "relay"),
    "eligibility": ("web", "consumer", "relay", "sweeper"),
    "assets": ("web", "consumer", "relay"),
    "webhooks": ("web", "consumer", "deliver"),
    "gateway": ("web", "consumer"),
}


def module_of(part: str) -> str:
    return "gateway" if part == "gateway" else f"services.{part}"


def command(part: str, process: str, python: str = sys.executable) -> list[str]:
    """The command line of one process of one part."""
    module = module_of(part)
    if process == "web":
        return [python, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", f"{module}.wsgi:app"]
    if process == "sweeper":  # the reconciliation sweep on a schedule
        return [python, "-m", module, "sweep", "--every", os.environ.get("ELIGIBILITY_SWEEP_SECONDS", "300")]
    return [python, "-m", module, {"consumer": "consume", "relay": "relay", "mailer": "send-mail",
                                  "deliver": "deliver"}[process]]
