"""Re-score day (issue 20): every freelancer's JSS changes at once. From the first line sent to
the last change searchable in catalog, with every automatic removal on a published page done,
beside the floor: PostgreSQL COPY of the same rows into a plain table. While it runs, the
public page's p99 at half its saturation load beside its p99 on the idle suite; after it, the
suite's CPU per single PUT update, per process.

    python -m tests.bench.bench_rescore [--stack production|embedded] [--freelancers 100000]

Starts the whole suite with its own runner, publishes a page of ``EXPERTS`` approved experts,
loads the directory (``talentgen``) with ``import-talent`` (untimed), then imports the
re-score file (every JSS changed, a newer ``updated_at``; ``FALLEN`` of the page's experts drop
to 60) with ``import-talent`` through the gateway, timed until catalog's search index holds
every line at its new version and every expert who fell is removed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import psycopg
from sqlalchemy import func, select

from services.catalog.models import Curation, TalentProfile
from services.common.db import Database
from services.eligibility.importer import import_talent
from services.eligibility.talentgen import write_ndjson
from tests.bench.bench_freshness import Updater, suite_cpu
from tests.bench.loadgen import wrk
from tests.bench.results import figure, print_rows, rss_kib
from tests.e2e.helpers import publishable_page
from tests.support.infra import Postgres, RabbitMQ
from tests.support.stack import embedded_stack, production_stack

EXPERTS, FALLEN = 20, 8
RESCORED_AT = datetime(2026, 6, 1, tzinfo=timezone.utc)
TARGETS = {"production": 3300, "embedded": 1500}


def rescore_file(directory: Path, experts: list[dict], target: Path, seed: int = 5) -> int:
    """Every document of ``directory`` and the page's experts with a new JSS and a newer time."""
    chance, lines = random.Random(seed), 0
    with open(directory, "rb") as source, open(target, "w") as out:
        for raw in source:
            doc = json.loads(raw)
            scores = [jss for jss in (0, *range(60, 101)) if jss != doc["jss"]]  # a change catalog shows
            doc["jss"], doc["updated_at"] = chance.choice(scores), "2026-06-01T00:00:00Z"
            out.write(json.dumps(doc) + "\n")
            lines += 1
        for number, doc in enumerate(experts):
            jss = 60 if number < FALLEN else 95 if doc["jss"] != 95 else 96
            out.write(json.dumps({**doc, "jss": jss, "updated_at": "2026-06-01T00:00:00Z"})
                      + "\n")
            lines += 1
    return lines


def database(stack, part: str) -> Database:
    return Database(stack.env.get(f"{part.upper()}_DATABASE_URL")
                    or f"sqlite:///{stack.env['PORTAL_DATA_DIR']}/{part}.sqlite3")


def count(db: Database, query) -> int:
    """A fresh read each time (a SQLite read transaction would keep seeing its first snapshot)."""
    with db.reading() as conn:
        return conn.execute(query).scalar_one()


def settled(catalog: Database, partner_id: str, lines: int) -> bool:
    searchable = count(catalog, select(func.count()).select_from(TalentProfile)
                       .where(TalentProfile.updated_at == RESCORED_AT))
    removed = count(catalog, select(func.count()).select_from(Curation).where(
        Curation.partner_id == partner_id, Curation.status == "removed"))
    return searchable == lines and removed == FALLEN


def copy_floor(pg: Postgres, path: Path) -> float:
    """Seconds to COPY the re-score's rows (id, document, time) into a plain table: the floor."""
    url = pg.database("rescore_floor").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE talent (freelancer_id text PRIMARY KEY, document text, updated_at timestamptz)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY talent (freelancer_id, document, updated_at) FROM STDIN") as copy:
            with open(path, "rb") as f:
                for raw in f:
                    doc = json.loads(raw)
                    copy.write_row((doc["freelancer_id"], raw.decode().rstrip("\n"), doc["updated_at"]))
        conn.commit()
        return time.perf_counter() - started


class PageLoad(threading.Thread):
    """wrk at a fixed rate on the public page, window after window, until stopped."""

    def __init__(self, url: str, rate: float, window: int = 5):
        super().__init__(daemon=True)
        self.url, self.rate, self.window, self.windows, self.stop = url, rate, window, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.windows.append(wrk(self.url, connections=16, seconds=self.window, rate=self.rate))


def web_peak_mb(stack) -> float:
    """Peak RSS of eligibility's web processes (VmHWM), the process holding the upload."""
    peaks = []
    for stat in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"services.eligibility.wsgi" in stat.read_bytes():
                peaks.append(rss_kib(stat.parent.name, "VmHWM") / 1024)
        except (OSError, KeyError):
            continue
    return max(peaks, default=0.0)


def run(stack_kind: str = "production", freelancers: int = 100_000, batch_lines: int = 1000,
        put_updates: int = 1000, page_load: bool = True) -> list[dict]:
    command = (f"python -m tests.bench.bench_rescore --stack {stack_kind} --freelancers {freelancers} "
               f"--batch-lines {batch_lines}")
    work = Path(tempfile.mkdtemp(prefix="bench-rescore-"))
    pg, mq = Postgres(), RabbitMQ()
    stack = production_stack(work, pg, mq) if stack_kind == "production" else embedded_stack(work)
    stack.env.update(GUNICORN_WORKERS="1", GUNICORN_THREADS="4", PORTAL_LOG_LEVEL="WARNING")
    try:
        stack.start()
        ready = publishable_page(stack, experts=EXPERTS)
        pid, token = ready["partner"]["id"], ready["admin"]["token"]
        assert stack.call("PUT", f"/api/v1/partners/{pid}/page/published", token, json={"published": True}).ok
        page_url = f"{stack.url}/experts/{ready['partner']['slug']}"
        directory, rescore = work / "directory.ndjson", work / "rescore.ndjson"
        write_ndjson(directory, freelancers, seed=3)
        lines = rescore_file(directory, ready["talent"], rescore)
        print(f"  {stack_kind}: loading {freelancers:,} freelancers", file=sys.stderr, flush=True)
        import_talent(directory, stack.url, stack.operator_token, batch_lines, progress=False)
        catalog = database(stack, "catalog")
        deadline = time.monotonic() + 1800
        while count(catalog, select(func.count()).select_from(TalentProfile)) < freelancers + EXPERTS:
            assert time.monotonic() < deadline, "the directory never reached catalog"  # before the clock starts
            time.sleep(1)
        saturation = wrk(page_url, connections=32, seconds=4)["rps"] if page_load else 0
        page_load = page_load and saturation > 0
        half = saturation / 2
        idle = wrk(page_url, connections=16, seconds=6, rate=half) if page_load else None
        load = PageLoad(page_url, half)
        print(f"  {stack_kind}: re-score of {lines:,} lines; page at {half:.0f} req/s", file=sys.stderr, flush=True)
        cpu_before = suite_cpu(stack.runner.pid)
        if page_load:
            load.start()
        started = time.monotonic()
        state = import_talent(rescore, stack.url, stack.operator_token, batch_lines, progress=False)
        ingested = time.monotonic() - started
        while not settled(catalog, pid, lines):
            assert time.monotonic() - started < 3600, "the re-score never settled"
            time.sleep(0.2)
        seconds = time.monotonic() - started
        load.stop.set()
        if page_load:
            load.join(30)
        cpu = {n: used - cpu_before.get(n, 0.0) for n, used in suite_cpu(stack.runner.pid).items()}
        peak = web_peak_mb(stack)
        catalog.dispose()
        put_cpu, put_note = single_put_cpu(stack, ready["talent"][FALLEN:], put_updates)
        floor = copy_floor(pg, rescore)
    finally:
        stack.stop()
        mq.delete_all()
        pg.drop_all()
    assert state.accepted == lines and state.rejected == 0, state
    note = (f"{stack_kind} stack, web processes 1 x 4 threads, batches of {batch_lines} lines; import answered "
            f"in {ingested:.0f} s ({lines / ingested:,.0f} lines/s), settled in {seconds:.0f} s; eligibility web "
            f"peak RSS {peak:.0f} MB; suite CPU {sum(cpu.values()):.0f} s (" + ", ".join(
                f"{n} {u:.0f}" for n, u in sorted(cpu.items(), key=lambda x: -x[1])[:6]) + ")")
    rate, target = lines / seconds, TARGETS[stack_kind]
    rows = [figure("rescore", f"re-score end to end ({stack_kind}), first line sent to last change searchable",
                   rate, "/s", command, baseline=lines / floor, baseline_what="PostgreSQL COPY of the same rows",
                   target=f">= {target:,}/s", met=rate >= target, size=lines, note=note)]
    if page_load:
        worst = max(w["p99"] for w in load.windows) if load.windows else float("inf")
        rows.append(figure("rescore", f"public page p99 during the re-score ({stack_kind}), at half saturation "
                                      f"({half:.0f} req/s paced)", worst, "ms", command, baseline=idle["p99"],
                           baseline_what="the same rate on the idle suite", target="< 25 ms", met=worst < 25,
                           size=lines, note=f"worst of {len(load.windows)} windows of 5 s; saturation {saturation:.0f} "
                                            f"req/s; window p99s " + ", ".join(f"{w['p99']:.1f}" for w in load.windows)))
    rows.append(figure("rescore", f"suite CPU per single PUT update ({stack_kind})", put_cpu, "ms", command,
                       target="<= 2.5 ms", met=put_cpu <= 2.5, note=put_note))
    return rows


def single_put_cpu(stack, experts: list[dict], updates: int, rate: float = 100) -> tuple[float, str]:
    """Suite CPU per PUT (each a new hourly rate, so it travels to catalog and the page), paced."""
    updater = Updater(stack)
    before = suite_cpu(stack.runner.pid)
    started = time.monotonic()
    for i in range(updates):
        pause = started + i / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        updater.put({**experts[i % len(experts)], "updated_at": "2026-07-01T00:00:00Z"}, new_rate=True)
    time.sleep(3)  # let the consumers and relays finish the last ones
    used = {n: c - before.get(n, 0.0) for n, c in suite_cpu(stack.runner.pid).items()}
    per = {n: 1000 * c / updates for n, c in used.items() if c > 0}
    note = (f"{updates} PUTs at {rate:g}/s, {len(updater.errors)} refused; per process: " + ", ".join(
        f"{n} {ms:.2f}" for n, ms in sorted(per.items(), key=lambda x: -x[1])[:8]))
    return sum(per.values()), note


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stack", choices=("production", "embedded"), default="production")
    parser.add_argument("--freelancers", type=int, default=100_000)
    parser.add_argument("--batch-lines", type=int, default=1000)
    parser.add_argument("--put-updates", type=int, default=1000)
    parser.add_argument("--no-page-load", action="store_true")
    args = parser.parse_args()
    rows = run(args.stack, args.freelancers, args.batch_lines, args.put_updates, not args.no_page_load)
    print_rows(rows)
    for row in rows:
        print(f"- {row['what']}: {row['note']}")


if __name__ == "__main__":
    os.environ.setdefault("PORTAL_LOG_LEVEL", "WARNING")
    main()
