"""The Compose stack of deploy/compose/, run with podman on this machine (issue 21).

``Deployed.up()`` writes a ``.env`` of fresh secrets, starts docker-compose.yml with
docker-compose.debian.yml (the infrastructure from Debian's packages) through podman-compose,
and waits for nginx to answer. Podman runs healthchecks from systemd timers, and this machine
has no systemd: a thread runs every container's healthcheck instead, as the timer would.
``replace()`` swaps one container of a service for one of another image, the way an operator
rolls a Compose service without downtime: the new container joins the network under the
service's name, becomes ready, then the old one stops gracefully (SIGTERM: gunicorn finishes
what it is answering) and goes.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import requests
import yaml

from tests.support.mail import Mailbox
from tests.support.procs import wait_until

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_DIR = ROOT / "deploy" / "compose"
FILES = ("docker-compose.yml", "docker-compose.debian.yml")
PROJECT = os.environ.get("DEPLOY_PROJECT", "portalcheck")
PUBLIC_PORT = 8080
PUBLIC = f"http://127.0.0.1:{PUBLIC_PORT}"
ENV_MARK = "# written by tests/deploy (make deploy-check); the file that was here is restored after\n"


def podman(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if check and done.returncode:
        raise AssertionError(f"podman {' '.join(args)[:200]}: {done.stderr[-2000:]}")
    return done


def merged_services() -> dict:
    """docker-compose.yml's services with the override's mappings laid over them."""
    main = yaml.safe_load((COMPOSE_DIR / FILES[0]).read_text())["services"]
    for name, extra in yaml.safe_load((COMPOSE_DIR / FILES[1]).read_text())["services"].items():
        service = main.setdefault(name, {})
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(service.get(key), dict):
                service[key] = {**service[key], **value}
            else:
                service[key] = value
    return main


class Deployed:
    def __init__(self):
        self.operator_token = secrets.token_urlsafe(32)
        self.env_path = COMPOSE_DIR / ".env"
        self.saved_env: str | None = None
        self.work = Path(tempfile.mkdtemp(prefix="deploy-check-"))
        self.mail_dir = self.work / "mail"
        self.mail_dir.mkdir()
        self.work_dir = self.work
        self.started: list[str] = []  # containers made here, outside Compose
        self.current: dict[str, str] = {}  # service -> its container now
        self.stop_health = threading.Event()
        self.health_thread: threading.Thread | None = None
        self.session = requests.Session()
        self.services = merged_services()

    # --- lifecycle -------------------------------------------------------------------------
    def compose(self, *args: str, timeout: float = 1200) -> subprocess.CompletedProcess:
        command = [str(ROOT / ".venv" / "bin" / "podman-compose"), "-p", PROJECT]
        for name in FILES:
            command += ["-f", name]
        done = subprocess.run([*command, *args], cwd=COMPOSE_DIR, capture_output=True, text=True, timeout=timeout)
        (self.work / "compose.log").open("a").write(f"$ {' '.join(args)}\n{done.stdout}\n{done.stderr}\n")
        if done.returncode:
            raise AssertionError(f"podman-compose {' '.join(args)} failed: {done.stderr[-3000:]}")
        return done

    def write_env(self) -> None:
        if self.env_path.exists():
            self.saved_env = self.env_path.read_text()
        lines = [ENV_MARK]
        for line in (COMPOSE_DIR / ".env.example").read_text().splitlines():
            name, sep, value = line.partition("=")
            if not sep or line.startswith("#"):
                continue
            if "change-me" in value or name.endswith("_DB_PASSWORD"):
                value = secrets.token_hex(16)
            lines.append(f"{name}={value}\n")
        env = dict(line.rstrip("\n").split("=", 1) for line in lines[1:])
        env["PORTAL_OPERATOR_TOKEN"] = self.operator_token
        # the URLs carry the passwords just drawn
        env["BROKER_URL"] = f"amqp://{env['RABBITMQ_DEFAULT_USER']}:{env['RABBITMQ_DEFAULT_PASS']}@rabbitmq:5672/"
        for part in ("membership", "catalog", "eligibility", "assets", "webhooks", "gateway"):
            if f"{part.upper()}_DATABASE_URL" in env:
                env[f"{part.upper()}_DATABASE_URL"] = (
                    f"postgresql://{part}:{env[part.upper() + '_DB_PASSWORD']}@postgres:5432/{part}")
        env["AWS_SECRET_ACCESS_KEY"] = env["MINIO_ROOT_PASSWORD"]
        # one gunicorn worker a web process: the check shares a small machine with others
        env["GUNICORN_WORKERS"] = os.environ.get("DEPLOY_GUNICORN_WORKERS", "1")
        # argon2 on a shared 2-core machine under load took 17-27 s a sign-up: the gateway's
        # wait for membership (default 10 s) is raised for the check only
        env["MEMBERSHIP_READ_TIMEOUT"] = os.environ.get("DEPLOY_MEMBERSHIP_READ_TIMEOUT", "60")
        self.env = env
        self.env_path.write_text(ENV_MARK + "".join(f"{k}={v}\n" for k, v in env.items()))

    def up(self) -> None:
        if os.environ.get("DEPLOY_REUSE") == "1" and self.env_path.exists() and self.containers():
            # development: the stack a DEPLOY_KEEP=1 run left running
            self.env = dict(line.split("=", 1) for line in self.env_path.read_text().splitlines()
                            if "=" in line and not line.startswith("#"))
            self.operator_token = self.env["PORTAL_OPERATOR_TOKEN"]
            self.current = {row["service"]: row["name"] for row in self.containers() if row["state"] == "running"}
            self.up_seconds = self.ready_seconds = 0
            return
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", PUBLIC_PORT)) == 0:
                raise AssertionError(f"port {PUBLIC_PORT} is taken: the Compose file publishes nginx there")
        self.write_env()
        self.compose("down", "-v", timeout=300)  # what a previous run may have left
        self.health_thread = threading.Thread(target=self.drive_healthchecks, daemon=True)
        self.health_thread.start()
        started = time.monotonic()
        self.compose("up", "-d")
        self.up_seconds = time.monotonic() - started
        for row in self.containers():
            self.current[row["service"]] = row["name"]
        wait_until(lambda: self.ok("/healthz"), 900, 2, "nginx and the gateway behind it")
        self.ready_seconds = time.monotonic() - started
        self.warm_up()

    def warm_up(self) -> None:
        """The images hold no bytecode: a process compiles each module the first time it imports
        it, some only on their first request (password hashing, say), which on a busy machine
        can outlast the gateway's 10 s wait. One sign-up attempt until it is answered at all."""
        def answered() -> bool:
            try:
                answer = self.call("POST", "/api/v1/accounts", json={
                    "email": f"warm-up-{secrets.token_hex(4)}@example.com", "password": "warm up the portal",
                    "name": "Warm Up"}, timeout=60)
                return answer.status_code < 500
            except requests.RequestException:
                return False
        wait_until(answered, 300, 5, "membership to answer a first sign-up")

    def down(self) -> None:
        self.stop_health.set()
        if os.environ.get("DEPLOY_KEEP") == "1":
            return
        for name in self.started:
            podman("rm", "-f", "-t", "5", name, check=False)
        try:
            self.compose("down", "-v", timeout=600)
        finally:
            if self.saved_env is not None:
                self.env_path.write_text(self.saved_env)
            elif self.env_path.exists() and self.env_path.read_text().startswith(ENV_MARK):
                self.env_path.unlink()

    def containers(self) -> list[dict]:
        rows = json.loads(podman("ps", "-a", "--filter", f"label=io.podman.compose.project={PROJECT}",
                                 "--format", "json").stdout or "[]")
        rows += [r for r in json.loads(podman("ps", "-a", "--format", "json").stdout or "[]")
                 if r["Names"][0] in self.started]
        return [{"name": r["Names"][0], "id": r["Id"], "state": r["State"], "image": r["Image"],
                 "service": (r.get("Labels") or {}).get("com.docker.compose.service")
                 or (r.get("Labels") or {}).get("portal.service")} for r in rows]

    def drive_healthchecks(self) -> None:
        """What podman's systemd timers would do: run each container's healthcheck."""
        while not self.stop_health.wait(3):
            try:
                for row in self.containers():
                    if row["state"] == "running":
                        self.healthy(row["name"])
            except Exception:  # noqa: BLE001 - a container going away mid-loop; try again
                continue

    # --- calls -----------------------------------------------------------------------------
    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, PUBLIC + path, headers=headers, timeout=kwargs.pop("timeout", 30), **kwargs)

    def operator(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.call(method, path, self.operator_token, **kwargs)

    def ok(self, path: str) -> bool:
        try:
            return requests.get(PUBLIC + path, timeout=30).status_code == 200
        except requests.RequestException:
            return False

    # --- mail ------------------------------------------------------------------------------
    def fetch_mail(self) -> None:
        """Copy the SMTP server's Maildir out of its container, one .eml file a message."""
        inbox = self.work / "maildir"
        shutil.rmtree(inbox, ignore_errors=True)
        podman("cp", f"{self.current['smtp']}:/var/mail/portal", str(inbox), check=False)
        for message in sorted((inbox / "new").glob("*")) + sorted((inbox / "cur").glob("*")):
            target = self.mail_dir / f"{message.name}.eml"
            if not target.exists():
                shutil.copyfile(message, target)

    @property
    def mailbox(self) -> Mailbox:
        return Mailbox(smtp=self)

    # tests.support.mail.Mailbox.of_stack reads ``stack.smtp.inbox.messages``: this SMTP
    # server's, fetched from its container on every read
    @property
    def smtp(self) -> "Deployed":
        return self

    @property
    def inbox(self) -> "Deployed":
        return self

    @property
    def messages(self) -> list[EmailMessage]:
        self.fetch_mail()
        paths = sorted(self.mail_dir.glob("*.eml"), key=lambda path: (path.stat().st_mtime_ns, path.name))
        return [message_from_bytes(path.read_bytes(), policy=policy.default) for path in paths]

    # --- containers ------------------------------------------------------------------------
    def inspect(self, name: str) -> dict:
        return json.loads(podman("container", "inspect", name).stdout)[0]

    def sql(self, database: str, query: str) -> str:
        return podman("exec", self.current["postgres"], "psql", "-U", "postgres", "-d", database, "-At",
                      "-c", query).stdout.strip()

    def healthy(self, name: str) -> bool:
        try:
            return podman("healthcheck", "run", name, check=False, timeout=60).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def run_like(self, service: str, image: str, name: str, command: list[str] | None = None,
                 detach: bool = True) -> subprocess.CompletedProcess:
        """A container of ``image`` set up as Compose sets up ``service``'s: same network (under
        the service's name), environment, read-only root, tmpfs, volumes and healthcheck."""
        spec = self.services[service]
        old = self.inspect(self.current[service])
        args = ["run", "--name", name, "--label", f"portal.service={service}"]
        args += ["-d"] if detach else ["--rm"]
        for network in old["NetworkSettings"]["Networks"]:
            args += ["--network", network]
        if detach:
            args += ["--network-alias", service]
        args += ["--env-file", str(self.env_path)]
        for key, value in (spec.get("environment") or {}).items():
            args += ["-e", f"{key}={value}"]
        if spec.get("read_only"):
            args.append("--read-only")
        for path in spec.get("tmpfs", []):
            args += ["--tmpfs", path]
        for mount in old["Mounts"]:
            if mount.get("Type") == "volume":
                args += ["-v", f"{mount['Name']}:{mount['Destination']}"]
        if detach and spec.get("restart"):
            args += ["--restart", spec["restart"]]
        test = (spec.get("healthcheck") or {}).get("test")
        if detach and test and test[0] == "CMD":
            args += ["--health-cmd", json.dumps(test[1:])]
        if detach:
            self.started.append(name)
        return podman(*args, image, *(command or spec.get("command") or []), timeout=600)

    def replace(self, service: str, image: str, tag: str, reload_nginx: bool = False) -> str:
        """Roll ``service`` onto ``image``: start the new container, wait until its healthcheck
        passes, then stop the old one gracefully and remove it. nginx resolves its upstream
        when it (re)loads, so for the gateway it reloads once both run and once the old is gone."""
        old = self.current[service]
        new = f"{PROJECT}_{service}_{tag}"
        self.run_like(service, image, new)
        wait_until(lambda: self.healthy(new), 180, 1, f"{new} to become healthy")
        if reload_nginx:
            self.reload_nginx()
        podman("stop", "-t", "30", old, timeout=120)
        podman("rm", old)
        self.current[service] = new
        if reload_nginx:
            self.reload_nginx()
        return new

    def reload_nginx(self) -> None:
        podman("exec", self.current["nginx"], "nginx", "-s", "reload")
        time.sleep(1)  # the new workers take over; the old ones finish what they are answering

    def kill_main_process(self, service: str) -> int:
        """SIGKILL the container's PID 1 from the host; returns its restart count before."""
        state = self.inspect(self.current[service])
        os.kill(state["State"]["Pid"], 9)
        return state.get("RestartCount", 0)
