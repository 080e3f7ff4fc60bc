"""The deployment check (`make deploy-check`, issue 21): the Compose file that users run,
started with podman on this machine, its images built by deploy/docker/build.py first.
Heavy (minutes, every image), so `make test` leaves it out: it runs only with DEPLOY_CHECK=1."""
from __future__ import annotations

import os

import pytest

if os.environ.get("DEPLOY_CHECK") != "1":
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def deployed():
    from tests.deploy.podstack import Deployed
    stack = Deployed()
    try:
        stack.up()
        yield stack
    finally:
        stack.down()
