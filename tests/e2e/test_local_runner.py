"""`make run`'s runner: prints what a newcomer needs, seeds the demo, stops everything cleanly."""
import os
import re
import signal

import pytest

from deploy.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.support.procs import wait_until
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_runner_prints_the_essentials_seeds_the_demo_and_stops_every_process_on_sigterm(tmp_path):
    stack = Stack("runner", tmp_path, {"PORTAL_DEMO": "1"}).start()
    try:
        log = stack.runner.log()
        assert f"gateway:        {stack.url}/" in log
        assert f"operator token: {stack.operator_token}" in log
        assert f"demo sign-in:   {DEMO_EMAIL} / {DEMO_PASSWORD}" in log
        wait_until(lambda: "demo ready" in stack.runner.log(), 60, 0.2, "the demo seed")
        signed_in = stack.call("POST", "/api/v1/sessions", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        assert signed_in.status_code == 200
        token = signed_in.json()["access_token"]
        partner = stack.call("GET", "/api/v1/me", token).json()["partners"][0]
        wait_until(lambda: len(stack.call("GET", f"/api/v1/partners/{partner['id']}/talent", token,
                                          params={"limit": 200}).json()["items"]) == 200, 30, 0.2,
                   "the 200 freelancers of the demo talent directory")
        pids = [int(p) for p in re.findall(r"started \(pid=(\d+)\)", stack.runner.log())]
        assert len(pids) >= 10
    finally:
        os.killpg(stack.runner.pid, signal.SIGTERM)
        assert stack.runner.popen.wait(45) == 0
    wait_until(lambda: not any(_alive(pid) for pid in pids), 15, 0.2, "every process to stop")
