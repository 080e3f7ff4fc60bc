"""`make run`'s runner: prints what a newcomer needs, seeds the demo, stops everything cleanly."""
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from deploy.demo import DEMO_EMAIL, DEMO_PASSWORD
from services.common.config import ADMIN_PORT_OFFSET
from tests.support.procs import ROOT, wait_until
from tests.support.stack import Stack, free_port_block

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


@pytest.mark.parametrize("offset, host, who, variable", [
    (0, "0.0.0.0", "gateway's web process", "PORTAL_GATEWAY_PORT moves it"),
    (2, "127.0.0.1", "catalog's web process", "PORTAL_GATEWAY_PORT (this one is PORTAL_GATEWAY_PORT + 2)"),
    (ADMIN_PORT_OFFSET, "127.0.0.1", "the gateway's admin port", "GATEWAY_ADMIN_PORT"),
])
def test_a_taken_port_stops_the_runner_at_once_saying_which_port_and_which_variable_moves_it(
        tmp_path, offset, host, who, variable):
    """Before starting anything (no database migrated, no process started): gunicorn would
    retry the port for a while and the runner then stop every process with a crash."""
    base = free_port_block(ADMIN_PORT_OFFSET + 1)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_DATA_DIR": str(tmp_path / "data"),
           "PORTAL_GATEWAY_PORT": str(base), "PORTAL_DEMO": "0", "PORTAL_OPERATOR_TOKEN": "op"}
    env.pop("GATEWAY_ADMIN_PORT", None)
    with socket.socket() as squatter:
        squatter.bind((host, base + offset))
        squatter.listen()
        started = time.monotonic()
        run = subprocess.run([sys.executable, "-m", "deploy.run"], env=env, cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    assert run.returncode != 0
    assert time.monotonic() - started < 15
    assert f"port {base + offset} on 127.0.0.1 is taken: {who}" in run.stderr, run.stderr
    assert variable in run.stderr
    suggested = int(re.search(r"PORTAL_GATEWAY_PORT=(\d+) make run", run.stderr).group(1))
    assert suggested != base
    assert "started (pid=" not in run.stdout and not list((tmp_path / "data").glob("*.sqlite3"))
