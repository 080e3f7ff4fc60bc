"""The suite as separate processes the tests start, stop and kill one by one (the honcho
runner stops everything when one process dies, which is right for `make run` but not for
a test that kills a consumer on purpose)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from deploy.processes import PARTS, command
from services.common.config import PORT_OFFSETS
from tests.support.procs import Proc, ROOT, wait_http_ok
from tests.support.stack import Stack


class Suite(Stack):
    """Same configuration and calls as Stack, but one Proc per process."""

    def __init__(self, name: str, work_dir: Path, env: dict):
        super().__init__(name, work_dir, env)
        self.procs: dict[str, Proc] = {}

    def start(self) -> "Suite":
        self.work_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "deploy.run", "prepare"], env=self.env, cwd=ROOT, check=True,
                       capture_output=True)
        for part, processes in PARTS.items():
            for process in processes:
                self.start_process(f"{part}.{process}")
        for part in PORT_OFFSETS:
            wait_http_ok(self.ready_url(part), timeout=90)
        return self

    def start_process(self, name: str) -> Proc:
        part, process = name.split(".")
        env = dict(self.env)
        if process == "web":
            env.update(HOST="127.0.0.1", PORT=str(self.port + PORT_OFFSETS[part]))
        proc = Proc(name, command(part, process, sys.executable), env, self.work_dir).start()
        self.procs[name] = proc
        return proc

    def kill(self, name: str) -> None:
        self.procs[name].kill()

    def restart(self, name: str) -> Proc:
        self.procs[name].kill()
        return self.start_process(name)

    def pid_of(self, process: str) -> int:
        return self.procs[process].pid

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.stop(timeout=20)


def processes() -> list[str]:
    return [f"{part}.{process}" for part, procs in PARTS.items() for process in procs]
