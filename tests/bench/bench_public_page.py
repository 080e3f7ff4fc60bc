"""Public page throughput through the gateway, beside a hello-world Flask app under the same
gunicorn settings, in the same run.

    python -m tests.bench.bench_public_page [--runs 3] [--seconds 8]

Seeds the gateway's read model with a realistic page (3 use cases, 30 experts, offerings),
serves it with gunicorn (2 sync workers, access log off), and loads both apps with wrk
(32 keep-alive connections), alternating, then measures p99 at half the saturated rate.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from tests.bench.loadgen import median_of, wrk
from tests.support.infra import free_port
from tests.support.procs import Proc, ROOT, wait_http_ok

GUNICORN = ["-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]


def seed(data_dir: Path) -> None:
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    from gateway import readmodel
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


def serve(name: str, app: str, port: int, data_dir: Path, work: Path) -> Proc:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_DATA_DIR": str(data_dir), "HOST": "127.0.0.1",
           "PORT": str(port), "GUNICORN_WORKERS": "2", "GUNICORN_WORKER_CLASS": "sync",
           "GUNICORN_ACCESS_LOG": "", "PORTAL_LOG_LEVEL": "WARNING", "PORTAL_GATEWAY_PORT": str(free_port())}
    return Proc(name, [sys.executable, *GUNICORN, app], env, work).start()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-page-"))
    seed(work / "data")
    gw_port, hello_port = free_port(), free_port()
    servers = [serve("gateway", "gateway.wsgi:app", gw_port, work / "data", work),
               serve("hello", "tests.bench.hello:app", hello_port, work / "data", work)]
    try:
        wait_http_ok(f"http://127.0.0.1:{gw_port}/experts/acme")
        wait_http_ok(f"http://127.0.0.1:{hello_port}/")
        page_url, hello_url = f"http://127.0.0.1:{gw_port}/experts/acme", f"http://127.0.0.1:{hello_port}/"
        page_runs, hello_runs = [], []
        for _ in range(args.runs):
            page_runs.append(wrk(page_url, seconds=args.seconds))
            hello_runs.append(wrk(hello_url, seconds=args.seconds))
        page, hello = median_of(page_runs), median_of(hello_runs)
        half = wrk(page_url, seconds=args.seconds, rate=page["rps"] / 2)
        assert page["non2xx"] == 0, "the page answered errors under load"
        report(page, hello, half)
    finally:
        for server in servers:
            server.stop()


def report(page: dict, hello: dict, half: dict) -> None:
    ratio = page["rps"] / hello["rps"]
    print(f"{'what':44} {'figure':>14} {'baseline':>14} {'ratio':>7}")
    print(f"{'public page, requests/s (32 connections)':44} {page['rps']:14.0f} {hello['rps']:14.0f} {ratio:7.2f}")
    print(f"{'public page, p99 ms at saturation':44} {page['p99']:14.1f} {hello['p99']:14.1f}")
    print(f"{'public page, p99 ms at half saturation':44} {half['p99']:14.1f} {'':>14}   (rate {half['rps']:.0f}/s)")


if __name__ == "__main__":
    main()
