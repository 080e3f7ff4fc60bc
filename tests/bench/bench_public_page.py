"""Public page throughput through the gateway, beside a hello-world Flask app under the same
gunicorn settings, in the same run.

    python -m tests.bench.bench_public_page [--runs 3] [--seconds 8] [--database sqlite,postgresql]

Seeds the gateway's read model with a realistic page (3 use cases, 30 experts, offerings) in
SQLite (the embedded defaults) and in PostgreSQL (production), serves it with gunicorn (2 sync
workers, access log off), and loads the page and hello world with wrk (32 keep-alive
connections), alternating, then measures p99 of both paced at half the page's saturated rate.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from tests.bench.loadgen import median_of, wrk
from tests.bench.results import figure, print_rows
from tests.support.infra import Postgres, free_port
from tests.support.procs import Proc, ROOT, wait_http_ok

GUNICORN = ["-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]


def seed(data_dir: Path, database_url: str | None) -> None:
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    os.environ.pop("GATEWAY_DATABASE_URL", None)
    if database_url:
        os.environ["GATEWAY_DATABASE_URL"] = database_url
    from gateway.public import readmodel
    from gateway.runtime import make_runtime
    from services.common.db import utcnow
    from tests.integration.gateway.pages import page_content
    runtime = make_runtime()
    runtime.migrate()
    page = page_content()
    experts = page["use_cases"][0]["experts"] * 10
    page["use_cases"] = [dict(page["use_cases"][0], id=f"uc-{i}", name=f"Use case {i}", experts=experts)
                         for i in range(3)]
    with runtime.db.transaction() as session:
        readmodel.save_page(session, "p-1", "acme", 1, True, page)
        for kind, sha in (("logo-light", "a"), ("logo-dark", "b"), ("branded-image", "c")):
            readmodel.save_asset(session, "p-1", kind, f"http://127.0.0.1/assets/p-1/{sha * 64}.png",
                                 800, 600, sha * 64, utcnow())


def serve(name: str, app: str, port: int, data_dir: Path, work: Path, database_url: str | None = None) -> Proc:
    env = {**os.environ, **({"GATEWAY_DATABASE_URL": database_url} if database_url else {}), "PYTHONPATH": str(ROOT), "PORTAL_DATA_DIR": str(data_dir), "HOST": "127.0.0.1",
           "PORT": str(port), "GUNICORN_WORKERS": "2", "GUNICORN_WORKER_CLASS": "sync",
           "GUNICORN_ACCESS_LOG": "", "PORTAL_LOG_LEVEL": "WARNING", "PORTAL_GATEWAY_PORT": str(free_port())}
    return Proc(name, [sys.executable, *GUNICORN, app], env, work).start()


COMMAND = "python -m tests.bench.bench_public_page --runs {runs} --seconds {seconds} --database {database}"
DATABASES = ("sqlite", "postgresql")


def run(runs: int = 3, seconds: int = 8, databases=DATABASES) -> list[dict]:
    rows = []
    for database in databases:
        if database == "postgresql":
            pg = Postgres()
            try:
                rows += run_one(runs, seconds, database, pg.database("bench_page"))
            finally:
                pg.drop_all()
        else:
            rows += run_one(runs, seconds, database, None)
    return rows


def run_one(runs: int, seconds: int, database: str, database_url: str | None) -> list[dict]:
    """Requests/s and p99 of the page beside hello world (medians of ``runs`` alternating runs),
    then p99 of both paced at half the page's saturated rate."""
    work = Path(tempfile.mkdtemp(prefix="bench-page-"))
    seed(work / "data", database_url)
    gw_port, hello_port = free_port(), free_port()
    servers = [serve("gateway", "gateway.wsgi:app", gw_port, work / "data", work, database_url),
               serve("hello", "tests.bench.hello:app", hello_port, work / "data", work)]
    try:
        wait_http_ok(f"http://127.0.0.1:{gw_port}/experts/acme")
        wait_http_ok(f"http://127.0.0.1:{hello_port}/")
        page_url, hello_url = f"http://127.0.0.1:{gw_port}/experts/acme", f"http://127.0.0.1:{hello_port}/"
        page_runs, hello_runs = [], []
        for _ in range(runs):
            page_runs.append(wrk(page_url, seconds=seconds))
            hello_runs.append(wrk(hello_url, seconds=seconds))
        page, hello = median_of(page_runs), median_of(hello_runs)
        half = wrk(page_url, seconds=seconds, rate=page["rps"] / 2)
        hello_half = wrk(hello_url, seconds=seconds, rate=page["rps"] / 2)
        assert page["non2xx"] == 0 and half["non2xx"] == 0, "the page answered errors under load"
    finally:
        for server in servers:
            server.stop()
    return figures(page, hello, half, hello_half, database,
                   COMMAND.format(runs=runs, seconds=seconds, database=database))


def figures(page: dict, hello: dict, half: dict, hello_half: dict, database: str, command: str) -> list[dict]:
    ratio = page["rps"] / hello["rps"]
    return [
        figure("public page", f"public page ({database}), requests/s (32 connections)", page["rps"], "req/s",
               command, baseline=hello["rps"], baseline_what="hello world", target="ratio >= 0.8",
               met=ratio >= 0.8),
        figure("public page", f"public page ({database}), p99 at saturation", page["p99"], "ms", command,
               baseline=hello["p99"], baseline_what="hello world"),
        figure("public page", f"public page ({database}), p99 at half saturation ({half['rps']:.0f} req/s paced)",
               half["p99"],
               "ms", command, baseline=hello_half["p99"], baseline_what="hello world at the same rate",
               target="< 25 ms", met=half["p99"] < 25),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--database", default=",".join(DATABASES), help="sqlite, postgresql or both")
    args = parser.parse_args()
    print_rows(run(args.runs, args.seconds, args.database.split(",")))


if __name__ == "__main__":
    main()
