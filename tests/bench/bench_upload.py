"""Time and peak memory of a 10 MB branded image upload, beside reading the same bytes.

    python -m tests.bench.bench_upload [--runs 5]

Two web processes under the same gunicorn settings (1 sync worker, access log off):
the assets service (SQLite, local storage) and a baseline app that only reads the
body in chunks, as the upload route does, and answers its length. For each case
both are started afresh and warmed up with a small image; then each run PUTs the
case's images over HTTP to both, alternating. Memory is the worker's peak RSS above
its RSS just before the request (VmHWM, reset through /proc/<pid>/clear_refs); the
highest of the runs is reported, which is the first, on a heap no upload has grown.
In-process, tracemalloc shows the Python allocations of the check alone (Pillow's
pixel buffers are allocated outside Python's allocator and show only in RSS).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from flask import Flask, request
from PIL import Image

from services.assets.domain import MAX_IMAGE_BYTES, check_asset, read_limited
from services.common.auth import SigningKeys, TokenSigner
from tests.bench.results import figure, print_rows, rss_kib
from tests.support.infra import free_port
from tests.support.procs import Proc, ROOT, wait_http_ok, wait_until

GUNICORN = ["-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
PID, ACCOUNT = "bench-partner", "bench-account"
MIB = 1024 * 1024

baseline_app = Flask(__name__)


@baseline_app.put("/body")
def read_body():
    """The baseline: read the body in chunks up to the limit, and nothing else."""
    return {"bytes": len(read_limited(request.stream, MAX_IMAGE_BYTES))}


def noise_image(fmt: str) -> bytes:
    """A 4:3 picture of noise (it barely compresses) just under 10 MB."""
    width, height, options = {"PNG": (2144, 1608, {"compress_level": 1}),
                              "JPEG": (3760, 2820, {"quality": 92})}[fmt]
    pixels = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    return _encoded(pixels, fmt, options)


def flat_image(shade: int) -> bytes:
    """The other worst case: a small PNG at the pixel limit, RGBA (4 bytes a pixel once decoded)."""
    return _encoded(Image.new("RGBA", (4728, 3546), (shade, 90, 200, 255)), "PNG", {})


def _encoded(pixels: Image.Image, fmt: str, options: dict) -> bytes:
    out = io.BytesIO()
    pixels.save(out, fmt, **options)
    data = out.getvalue()
    assert len(data) <= MAX_IMAGE_BYTES, f"{fmt} came out at {len(data)} bytes"
    return data


def jwks_server(keys: SigningKeys) -> tuple[ThreadingHTTPServer, str]:
    """Membership's JWKS endpoint, for the assets web process to verify the bench's token."""
    body = json.dumps(keys.jwks()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def prepare_assets(env: dict) -> None:
    """Migrate the assets database and make the bench account a member of its partner."""
    from services.assets.models import members
    from services.assets.runtime import make_runtime
    from services.common.config import Config

    runtime = make_runtime(Config.from_env("assets", env))
    runtime.migrate()
    with runtime.db.transaction() as session:
        session.execute(members.insert().values(partner_id=PID, account_id=ACCOUNT, role="admin"))
    runtime.close()


def serve(name: str, app: str, env: dict, work: Path) -> tuple[Proc, str]:
    port = free_port()
    full = {**os.environ, **env, "PYTHONPATH": str(ROOT), "HOST": "127.0.0.1", "PORT": str(port),
            "GUNICORN_WORKERS": "1", "GUNICORN_WORKER_CLASS": "sync", "GUNICORN_TIMEOUT": "120",
            "GUNICORN_ACCESS_LOG": "", "PORTAL_LOG_LEVEL": "WARNING"}
    return Proc(name, [sys.executable, *GUNICORN, app], full, work).start(), f"http://127.0.0.1:{port}"


def worker_of(proc: Proc) -> int:
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    return int(children[0])


def measured_put(url: str, data: bytes, worker: int, headers: dict) -> tuple[float, float]:
    """(seconds, MiB of peak RSS above idle) for one PUT of `data`."""
    idle = rss_kib(worker, "VmRSS")
    Path(f"/proc/{worker}/clear_refs").write_text("5")
    started = time.perf_counter()
    answer = requests.put(url, data=data, headers=headers, timeout=120)
    elapsed = time.perf_counter() - started
    assert answer.ok, answer.text
    return elapsed, (rss_kib(worker, "VmHWM") - idle) / 1024


def traced(action) -> tuple[float, float]:
    """(seconds, MiB of peak Python allocations) for `action()`."""
    tracemalloc.start()
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak / MIB


class Servers:
    """Both web processes, fresh for each case so that no earlier upload left its heap behind."""

    def __init__(self, env: dict, work: Path, token: dict):
        self.assets, assets_url = serve("assets", "services.assets.wsgi:app", env, work)
        self.baseline, baseline_url = serve("baseline", "tests.bench.bench_upload:baseline_app", env, work)
        self.upload_url = f"{assets_url}/api/v1/partners/{PID}/assets/branded-image"
        self.body_url, self.token = f"{baseline_url}/body", token
        wait_http_ok(f"{assets_url}/healthz")
        wait_until(lambda: self._answers(self.body_url), 30, 0.1, "the baseline app")

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            return requests.put(url, data=b"x", timeout=1).ok
        except requests.RequestException:
            return False

    def warm_up(self, small_image: bytes) -> None:
        """Imports and first-request work done, with a small image, before measuring."""
        requests.put(self.upload_url, data=small_image, headers=self.token, timeout=30).raise_for_status()
        requests.put(self.body_url, data=small_image, timeout=30).raise_for_status()

    def upload(self, data: bytes) -> tuple[float, float]:
        return measured_put(self.upload_url, data, worker_of(self.assets), self.token)

    def read_only(self, data: bytes) -> tuple[float, float]:
        return measured_put(self.body_url, data, worker_of(self.baseline), {})

    def stop(self) -> None:
        self.assets.stop()
        self.baseline.stop()


def measure(servers: Servers, pair: list[bytes], runs: int) -> tuple[tuple, tuple]:
    """Median time and the highest peak (the first upload, on a cold heap) of each side."""
    ours, base = [], []
    for run in range(runs):
        ours.append(servers.upload(pair[run % 2]))
        base.append(servers.read_only(pair[run % 2]))
    return _summary(ours), _summary(base)


def run(runs: int = 5) -> list[dict]:
    """Each case's median time and highest peak memory, beside reading the same bytes."""
    command = f"python -m tests.bench.bench_upload --runs {runs}"
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    keys = SigningKeys(work / "keys")
    keys.ensure()
    jwks, jwks_url = jwks_server(keys)
    env = {"PORTAL_DATA_DIR": str(work / "data"), "PORTAL_OPERATOR_TOKEN": "op", "MEMBERSHIP_URL": jwks_url,
           "PORTAL_GATEWAY_PORT": str(free_port())}
    prepare_assets(env)
    token = {"Authorization": f"Bearer {TokenSigner(keys).issue(ACCOUNT)}",
             "Content-Type": "application/octet-stream"}
    small = _encoded(Image.new("RGB", (400, 300), (1, 2, 3)), "PNG", {})
    cases = {"PNG noise": [noise_image("PNG"), noise_image("PNG")],
             "JPEG noise": [noise_image("JPEG"), noise_image("JPEG")],
             "PNG flat 16.8 Mpx RGBA": [flat_image(10), flat_image(20)]}
    rows = []
    try:
        for what, pair in cases.items():
            servers = Servers(env, work, token)
            try:
                servers.warm_up(small)
                ours, base = measure(servers, pair, runs)
            finally:
                servers.stop()
            large = len(pair[0]) > 9 * MIB  # the targets are for a 10 MB image
            label = f"upload {what} {len(pair[0]) / MIB:.2f} MiB, HTTP"
            rows += [figure("upload", f"{label}, time", ours[0], "s", command, baseline=base[0],
                            baseline_what="reading the bytes", target="< 1 s" if large else "",
                            met=ours[0] < 1 if large else None),
                     figure("upload", f"{label}, peak RSS above idle", ours[1], "MiB", command, baseline=base[1],
                            baseline_what="reading the bytes", target="< 64 MiB" if large else "",
                            met=ours[1] < 64 if large else None)]
            check = traced(lambda: check_asset("branded-image", read_limited(io.BytesIO(pair[0]), MAX_IMAGE_BYTES)))
            just_read = traced(lambda: read_limited(io.BytesIO(pair[0]), MAX_IMAGE_BYTES))
            rows.append(figure("upload", f"upload {what}, in-process check, Python peak (tracemalloc)", check[1],
                               "MiB", command, baseline=just_read[1], baseline_what="reading the bytes",
                               note=f"{check[0]:.3f} s, reading {just_read[0]:.3f} s"))
    finally:
        jwks.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print_rows(run(args.runs))


def _summary(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s for s, _ in samples), max(m for _, m in samples)


if __name__ == "__main__":
    main()
