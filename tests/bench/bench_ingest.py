"""Bulk talent ingest: lines per second and peak memory, beside parsing the same file with
json alone, in the same run; and both first at a tenth of the lines, to show memory stays
flat as the file grows. Figures are medians of --runs runs.

    python -m tests.bench.bench_ingest --lines 100000 [--runs 3]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.results import figure, median, print_rows, rss_kib
from tests.support.procs import ROOT


def measure(mode: str, path: Path, work: Path) -> dict:
    """Run one measurement in a fresh process, so its peak RSS is its own (VmHWM: ru_maxrss would
    carry the peak of the process that started it, across exec)."""
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
                      "peak_mb": rss_kib("self", "VmHWM") / 1024}))


def ingest_through_the_api(path: Path, work: Path) -> int:
    """POST the file to the bulk endpoint with Flask's test client, streamed from disk, in parts
    of at most half the endpoint's limit."""
    os.environ.update(PORTAL_DATA_DIR=str(work), PORTAL_OPERATOR_TOKEN="bench-token")
    from services.eligibility.app import create_app
    app = create_app()
    runtime = app.config["RUNTIME"]
    runtime.migrate()
    runtime.bus.declare("bench", ["nothing.#"])
    accepted, client = 0, app.test_client()
    with open(path, "rb") as f:
        for start, length in parts(f, app.config["BULK_MAX_BYTES"] // 2):
            answer = client.post("/internal/v1/talent:bulk", input_stream=Piece(f, start, length), headers={
                "Authorization": "Bearer bench-token", "Content-Type": "application/x-ndjson"})
            assert answer.status_code == 200 and not answer.get_json()["rejected"], answer.text[:500]
            accepted += answer.get_json()["accepted"]
    return accepted


class Piece(io.RawIOBase):
    """``length`` bytes of a file from ``start``, as a file of its own (the test client takes
    the body's length from the stream: the end of a plain file, whatever the header says)."""

    def __init__(self, f, start: int, length: int):
        self.f, self.start, self.length, self.at = f, start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.at = min(self.length, max(0, offset + (0, self.at, self.length)[whence]))
        return self.at

    def tell(self) -> int:
        return self.at

    def readinto(self, buffer) -> int:
        self.f.seek(self.start + self.at)
        read = self.f.readinto(memoryview(buffer)[:self.length - self.at])
        self.at += read
        return read


def parts(f, most: int) -> list[tuple[int, int]]:
    """(offset, length) of pieces of the file of at most ``most`` bytes, cut after a newline:
    a file larger than the endpoint's limit (512 MiB) is posted in several requests."""
    size, start, found = f.seek(0, 2), 0, []
    while start < size:
        end = min(size, start + most)
        if end < size:
            f.seek(end - 65536)
            end = end - 65536 + f.read(65536).rindex(b"\n") + 1
        found.append((start, end - start))
        start = end
    return found


def run(lines: int = 100_000, runs: int = 3) -> list[dict]:
    """Ingest and json alone, alternating, ``runs`` times at a tenth of ``lines`` and at ``lines``:
    medians of lines/s and of peak RSS; memory is flat if the 10x peak is within 20% of the 1x."""
    from services.eligibility.talentgen import write_ndjson
    command = f"python -m tests.bench.bench_ingest --lines {lines} --runs {runs}"
    rows, peaks = [], []
    for size in (lines // 10, lines):
        scratch = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
        path = scratch / "talent.ndjson"
        write_ndjson(path, size, seed=11)
        ingest, baseline = [], []
        for attempt in range(runs):
            ingest.append(measure("ingest", path, scratch / f"data-{attempt}"))
            baseline.append(measure("json", path, scratch))
        shutil.rmtree(scratch, ignore_errors=True)
        rate, base_rate = (median(m["lines"] / m["seconds"] for m in ms) for ms in (ingest, baseline))
        peak, base_peak = (median(m["peak_mb"] for m in ms) for ms in (ingest, baseline))
        peaks.append(peak)
        flat = peak <= 1.2 * peaks[0]
        rows += [figure("ingest", "bulk ingest, lines/s", rate, "lines/s", command, baseline=base_rate,
                        baseline_what="json alone", size=size),
                 figure("ingest", "bulk ingest, peak memory (RSS)", peak, "MB", command, baseline=base_peak,
                        baseline_what="json alone", size=size,
                        target="flat as the file grows" if size == lines else "",
                        met=flat if size == lines else None)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", nargs=3)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]))
    print_rows(run(args.lines, args.runs))


if __name__ == "__main__":
    main()
