"""Bulk talent ingest: lines per second and peak memory, beside parsing the same file with
json alone, in the same run; and both again at a tenth of the lines, to show memory stays
flat as the file grows.

    python -m tests.bench.bench_ingest --lines 100000
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.procs import ROOT


def measure(mode: str, path: Path, work: Path) -> dict:
    """Run one measurement in a fresh process, so its peak RSS is its own."""
    out = subprocess.run([sys.executable, "-m", "tests.bench.bench_ingest", "--worker", mode, str(path), str(work)],
                         capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_LOG_LEVEL": "WARNING"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def worker(mode: str, path: Path, work: Path) -> None:
    started = time.perf_counter()
    if mode == "json":
        with open(path, "rb") as f:
            lines = sum(1 for line in f if json.loads(line))
    else:
        lines = ingest_through_the_api(path, work)
    seconds = time.perf_counter() - started
    print(json.dumps({"lines": lines, "seconds": seconds,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def ingest_through_the_api(path: Path, work: Path) -> int:
    """POST the file to the bulk endpoint with Flask's test client, streamed from disk."""
    os.environ.update(PORTAL_DATA_DIR=str(work), PORTAL_OPERATOR_TOKEN="bench-token")
    from services.eligibility.app import create_app
    app = create_app()
    runtime = app.config["RUNTIME"]
    runtime.migrate()
    runtime.bus.declare("bench", ["nothing.#"])
    with open(path, "rb") as f:
        answer = app.test_client().post("/internal/v1/talent:bulk", input_stream=f, headers={
            "Authorization": "Bearer bench-token", "Content-Type": "application/x-ndjson",
            "Content-Length": str(path.stat().st_size)})
    assert answer.status_code == 200 and not answer.get_json()["rejected"], answer.text[:500]
    return answer.get_json()["accepted"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--worker", nargs=3)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]))
    from services.eligibility.talentgen import write_ndjson
    rows = []
    for lines in (args.lines // 10, args.lines):
        scratch = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
        path = scratch / "talent.ndjson"
        write_ndjson(path, lines, seed=11)
        ingest, baseline = measure("ingest", path, scratch / "data"), measure("json", path, scratch)
        rows.append((lines, ingest, baseline))
    print(f"{'lines':>9} {'ingest lines/s':>15} {'json lines/s':>13} {'ratio':>6} {'ingest peak MB':>15} {'json peak MB':>13}")
    for lines, ingest, baseline in rows:
        print(f"{lines:9d} {ingest['lines'] / ingest['seconds']:15.0f} {baseline['lines'] / baseline['seconds']:13.0f} "
              f"{(ingest['lines'] / ingest['seconds']) / (baseline['lines'] / baseline['seconds']):6.3f} "
              f"{ingest['peak_mb']:15.1f} {baseline['peak_mb']:13.1f}")


if __name__ == "__main__":
    main()
