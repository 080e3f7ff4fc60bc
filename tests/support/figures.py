"""Figures the proof suites measure, one JSON line each, and the scale they run at.

`make test` runs the proof suites at the fast scale (a short version of each, so that a
regression fails CI); `make proof` sets PROOF_SCALE=full and renders the figures into
docs/reliability.md and docs/security.md (tests/proof/report.py)."""
from __future__ import annotations

import json
import os
import platform
import shlex
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Scale:
    name: str
    talent_updates: int        # talent updates while each consumer and relay is killed in turn
    broker_down_seconds: float  # the broker unreachable during writes
    db_stall_seconds: float     # every database stalled
    cut_every_seconds: float    # broker connections cut this often during the journey
    journey_cuts: int           # the journey goes on (more talent updates) until this many cuts
    outage_seconds: float       # each service stopped this long
    fuzz_examples: int          # schemathesis examples per operation
    rate_attempts: int          # sign-in attempts against a limit of rate_limit
    rate_limit: int
    webhook_events: int = 40          # events sent to a receiver in each webhook scenario
    receiver_down_seconds: float = 10  # a webhook receiver down this long, then back


SCALES = {
    "fast": Scale("fast", talent_updates=300, broker_down_seconds=5, db_stall_seconds=3, cut_every_seconds=1.5,
                  journey_cuts=3, outage_seconds=2, fuzz_examples=3, rate_attempts=30, rate_limit=10),
    "full": Scale("full", talent_updates=10_000, broker_down_seconds=30, db_stall_seconds=10, cut_every_seconds=3,
                  journey_cuts=20, outage_seconds=15, fuzz_examples=50, rate_attempts=300, rate_limit=50,
                  webhook_events=400, receiver_down_seconds=600),
}


def current_scale() -> Scale:
    name = os.environ.get("PROOF_SCALE", "fast")
    if name not in SCALES:
        raise ValueError(f"PROOF_SCALE must be one of {sorted(SCALES)}, not {name!r}")
    return SCALES[name]


def results_path() -> Path:
    return Path(os.environ.get("PROOF_RESULTS") or ROOT / "var" / "proof" / f"{current_scale().name}.jsonl")


def machine() -> str:
    return f"{platform.node()}, {os.cpu_count()} CPU, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


class Figures:
    """Records the figures of one test: ``figures.add("events lost", 0)``."""

    def __init__(self, doc: str, item: str, test_id: str, scale: Scale, path: Path | None = None):
        self.doc, self.item, self.test_id, self.scale = doc, item, test_id, scale
        self.path = path or results_path()
        self.command = f"PROOF_SCALE={scale.name} {Path(sys.executable).name} -m pytest " + shlex.quote(test_id)

    def add(self, figure: str, value, unit: str = "", note: str = "") -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"doc": self.doc, "item": self.item, "figure": figure, "value": value, "unit": unit,
                "note": note, "scale": self.scale.name, "test": self.test_id, "command": self.command,
                "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine()}
        with open(self.path, "a") as out:
            out.write(json.dumps(line) + "\n")


class Stopwatch:
    def __init__(self):
        self.started = time.monotonic()

    def seconds(self) -> float:
        return round(time.monotonic() - self.started, 2)
