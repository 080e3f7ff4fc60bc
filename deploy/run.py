"""The local runner behind `make run`: every service, the gateway, every consumer and
relay as separate processes on 127.0.0.1, on embedded defaults unless the production
variables of API.md are set. Ctrl-C or SIGTERM stops all of them."""
from __future__ import annotations

import importlib
import os
import shlex
import socket
import sys
import threading
from pathlib import Path

from honcho.manager import Manager
from honcho.printer import Printer

from services.common.config import ADMIN_PORT_OFFSET, PORT_OFFSETS, Config

from .processes import PARTS, command, module_of

ROOT = Path(__file__).resolve().parent.parent


def prepare_environment() -> Config:
    """Fill in the embedded defaults every process will share."""
    os.environ.setdefault("PORTAL_DATA_DIR", str(ROOT / "var"))
    os.environ.setdefault("PORTAL_GATEWAY_PORT", "8080")
    os.environ.setdefault("PORTAL_DEMO", "1")
    config = Config.from_env("gateway")
    os.environ.setdefault("GATEWAY_ADMIN_PORT", str(config.gateway_port + ADMIN_PORT_OFFSET))
    os.environ["PORTAL_OPERATOR_TOKEN"] = config.operator_token
    os.environ["PORTAL_PUBLIC_URL"] = config.public_url
    return config


def ports_needed(config: Config) -> list[tuple[int, str, str]]:
    """Every port the runner's processes listen on: (port, who listens, the variable moving it)."""
    ports = [(config.gateway_port + PORT_OFFSETS[part], f"{part}'s web process",
              "PORTAL_GATEWAY_PORT" + (f" (this one is PORTAL_GATEWAY_PORT + {PORT_OFFSETS[part]})"
                                       if PORT_OFFSETS[part] else ""))
             for part, processes in PARTS.items() if "web" in processes]
    if os.environ.get("GATEWAY_ADMIN_PORT"):
        ports.append((int(os.environ["GATEWAY_ADMIN_PORT"]), "the gateway's admin port (/metrics, /readyz)",
                      f"GATEWAY_ADMIN_PORT (PORTAL_GATEWAY_PORT + {ADMIN_PORT_OFFSET} unless set)"))
    return ports


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether gunicorn could listen on ``port`` now (it sets SO_REUSEADDR too)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except (OSError, OverflowError):
            return False
    return True


def taken_ports(config: Config) -> str | None:
    """What to tell the user when a port the runner needs is taken (None when all are free):
    which port, whose it is, which variable moves it, and a PORTAL_GATEWAY_PORT that would do."""
    taken = [(port, who, variable) for port, who, variable in ports_needed(config) if not is_free(port)]
    if not taken:
        return None
    lines = [f"port {port} on 127.0.0.1 is taken: {who} needs it; {variable} moves it"
             for port, who, variable in taken]
    offsets = sorted({*PORT_OFFSETS.values(), ADMIN_PORT_OFFSET})
    for base in range(config.gateway_port + 10, min(config.gateway_port + 2000, 65500), 10):
        if all(is_free(base + offset) for offset in offsets):
            lines.append(f"for example: PORTAL_GATEWAY_PORT={base} make run")
            break
    return "\n".join(["Not starting: " + lines[0], *lines[1:]]) + "\n"


def migrate_and_declare() -> None:
    """Migrations for every part, then every queue, before any process publishes."""
    for part, processes in PARTS.items():
        module = module_of(part)
        runtime = importlib.import_module(f"{module}.runtime").make_runtime()
        runtime.migrate()
        if "consumer" in processes:
            importlib.import_module(f"{module}.consumer").make_consumer(runtime).declare()
        runtime.close()


def add_processes(manager: Manager, config: Config) -> None:
    for part, processes in PARTS.items():
        for process in processes:
            env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
            if process == "web":
                env.update(HOST="127.0.0.1", PORT=str(config.gateway_port + PORT_OFFSETS[part]),
                           GUNICORN_WORKERS=env.get(f"{part.upper()}_GUNICORN_WORKERS")
                           or env.get("GUNICORN_WORKERS", "2" if part == "gateway" else "1"))
            manager.add_process(f"{part}.{process}", shlex.join(command(part, process)), cwd=str(ROOT), env=env)


def banner(config: Config) -> str:
    lines = [
        "",
        "Partner Experts Portal is starting",
        f"  gateway:        {config.public_url}/  (health: {config.public_url}/healthz)",
        f"  admin port:     http://127.0.0.1:{os.environ['GATEWAY_ADMIN_PORT']}/metrics and /readyz"
        " (GATEWAY_ADMIN_PORT)",
        f"  operator token: {config.operator_token}",
        f"  data folder:    {config.data_dir}",
        f"  bus:            {'RabbitMQ' if config.broker_url else 'folder bus (embedded)'}",
    ]
    if config.demo:
        from .demo import DEMO_EMAIL, DEMO_PASSWORD
        lines.append(f"  demo sign-in:   {DEMO_EMAIL} / {DEMO_PASSWORD}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m deploy.run`` runs everything; ``python -m deploy.run prepare`` only migrates
    every database and declares every queue (what runs before any process starts)."""
    argv = sys.argv[1:] if argv is None else argv
    config = prepare_environment()
    if argv[:1] != ["prepare"] and (problem := taken_ports(config)):
        sys.stderr.write(problem)  # before anything starts: gunicorn would retry, then crash
        return 1
    migrate_and_declare()
    if argv[:1] == ["prepare"]:
        return 0
    manager = Manager(Printer(sys.stdout))
    add_processes(manager, config)
    print(banner(config), flush=True)
    if config.demo:
        from .demo import seed_when_ready
        threading.Thread(target=seed_when_ready, args=(config,), daemon=True).start()
    manager.loop()
    # stopped by Ctrl-C or SIGTERM once every process has exited: a clean stop
    return 0 if manager.returncode in (130, 143) else (manager.returncode or 0)


if __name__ == "__main__":
    sys.exit(main())
