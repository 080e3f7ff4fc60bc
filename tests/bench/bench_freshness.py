"""Change to public page: from a talent suspension accepted by the operator API to the expert
gone from the public page, while talent updates arrive at 200 a second.

    python -m tests.bench.bench_freshness [--stack production] [--seconds 60] [--rate 200]

Starts the whole suite with its own runner (production: PostgreSQL and RabbitMQ on this
machine, a database per part and a vhost of its own; or embedded: SQLite and the folder
bus), publishes a page with enough approved experts, loads a directory of unrelated talent,
then sends ``PUT /internal/v1/talent/<id>`` through the gateway at a fixed rate (open loop:
each request has its start time, whatever the answers before it): newer versions of the
unrelated talent, each with a new hourly rate (a change search shows, so it travels to
catalog like a real update: an update that changes nothing but ``updated_at`` publishes
nothing), and every ``--suspend-every`` seconds a suspension (``account_status:
suspended``, newer ``updated_at``) of an expert on the page. One thread polls
``GET /api/v1/public/pages/<slug>`` every ``POLL_EVERY`` seconds; an expert's latency runs from
the answer to its suspension's PUT to the first poll answer without it (the poll's answer,
not its start: the figure errs high by at most one poll interval and one answer). The baseline is the same suspension with no other
updates running. There is no baseline in issue 11; the target is p99 under 1 s at 200
updates/s, met only if the suite also answered them at that rate and refused none. A
suspension whose PUT was refused is not measured; refusals are counted in the note.
"""
from __future__ import annotations

import argparse
import collections
import itertools
import json
import math
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.bench.results import figure, percentile, print_rows
from tests.e2e.helpers import eligible_talent, later, publishable_page
from tests.support.infra import Postgres, RabbitMQ
from tests.support.stack import embedded_stack, production_stack

GONE_TIMEOUT = 30.0
POLL_EVERY = 0.02  # 50 polls/s: a visitor's view, without taking the cores from the suite


class PagePoller(threading.Thread):
    """Polls the public page; records when each watched expert is first missing from it."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.session = url, requests.Session()
        self.watching: dict[str, float] = {}  # freelancer id -> when its suspension was accepted
        self.latencies: dict[str, float] = {}
        self.polls, self.failed, self.lock, self.stop = 0, 0, threading.Lock(), threading.Event()

    def watch(self, freelancer_id: str, accepted: float) -> None:
        with self.lock:
            self.watching[freelancer_id] = accepted

    def run(self) -> None:
        while not self.stop.wait(POLL_EVERY):
            try:
                answer = self.session.get(self.url, timeout=10)
                answer.raise_for_status()
            except requests.RequestException:
                self.failed += 1  # counted in the note; the next poll tells
                continue
            seen = time.monotonic()
            self.polls += 1
            shown = {card["freelancer_id"] for uc in answer.json()["use_cases"] for card in uc["experts"]}
            with self.lock:
                for fid, accepted in list(self.watching.items()):
                    if fid not in shown:
                        self.latencies[fid] = seen - accepted
                        del self.watching[fid]

    def wait_for_all(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.watching and time.monotonic() < deadline:
            time.sleep(0.05)


class Updater:
    """PUTs talent documents through the gateway, a requests session per thread."""

    def __init__(self, stack):
        self.base, self.headers = f"{stack.url}/internal/v1/talent/", {
            "Authorization": f"Bearer {stack.operator_token}"}
        self.local, self.errors, self.version = threading.local(), [], itertools.count(1)
        self.answered: list[float] = []

    def put(self, doc: dict, new_rate: bool = False) -> float | None:
        """PUT a newer version of ``doc`` (``new_rate``: with another hourly rate); the
        monotonic time its answer arrived, None if refused."""
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        body = {k: v for k, v in doc.items() if k != "freelancer_id"}
        version = next(self.version)
        body["updated_at"] = later(doc["updated_at"], version)
        if new_rate:
            body["hourly_rate"] = round(doc["hourly_rate"] + version % 97, 2)
        try:
            answer = self.local.session.put(self.base + doc["freelancer_id"], json=body, headers=self.headers,
                                            timeout=30)
        except requests.RequestException as error:
            self.errors.append(f"{type(error).__name__} {error}")
            return None
        if answer.status_code not in (200, 201):
            self.errors.append(f"{answer.status_code} {answer.text[:200]}")
            return None
        self.answered.append(time.monotonic())
        return self.answered[-1]


def suite_cpu(root: int) -> dict[str, float]:
    """CPU seconds used so far by each process under the suite's runner, by process name."""
    parents, names = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        names[pid] = (_process_name(cmdline), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    used: dict[str, float] = {}
    for pid, (name, seconds) in names.items():
        ancestor = pid
        while ancestor in parents and ancestor != root:
            ancestor = parents[ancestor]
        if ancestor == root and name:
            used[name] = used.get(name, 0.0) + seconds
    return used


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _process_name(cmdline: list[bytes]) -> str:
    """``catalog.consumer``, ``gateway.web``... from a command line of the suite's runner."""
    args = [a.decode(errors="replace") for a in cmdline]
    for arg in args:
        if arg.endswith(".wsgi:app"):
            return arg.replace("services.", "").replace(".wsgi:app", ".web")
    if "-m" in args and args.index("-m") + 2 <= len(args) - 1:
        module, verb = args[args.index("-m") + 1], args[args.index("-m") + 2]
        if module.startswith(("services.", "gateway")):
            return f"{module.replace('services.', '')}.{verb}"
    return ""


def load_directory(stack, docs: list[dict]) -> None:
    """The unrelated talent, in bulk requests small enough for the gateway's read timeout."""
    for start in range(0, len(docs), 200):
        body = "\n".join(json.dumps(doc) for doc in docs[start:start + 200]).encode()
        answer = stack.operator("POST", "/internal/v1/talent:bulk", data=body,
                                headers={"Content-Type": "application/x-ndjson"})
        assert answer.ok and not answer.json()["rejected"], answer.text[:500]


def suspend(updater: Updater, poller: PagePoller, expert: dict) -> None:
    accepted = updater.put({**expert, "account_status": "suspended"})
    if accepted is not None:
        poller.watch(expert["freelancer_id"], accepted)


def quiet(updater: Updater, poller: PagePoller, experts: list[dict], gap: float = 1.0) -> list[float]:
    """Suspensions with nothing else going on: the baseline. The first one is not counted: the
    events are handled in order, so it is gone once the directory's load is through."""
    suspend(updater, poller, experts[0])
    poller.wait_for_all(120)
    experts = experts[1:]
    for expert in experts:
        suspend(updater, poller, expert)
        poller.wait_for_all(GONE_TIMEOUT)
        time.sleep(gap)
    return [poller.latencies[e["freelancer_id"]] for e in experts if e["freelancer_id"] in poller.latencies]


def loaded(updater: Updater, poller: PagePoller, experts: list[dict], directory: list[dict], rate: float,
           seconds: float, suspend_every: float, threads: int = 24) -> dict:
    """Open-loop updates at ``rate`` for ``seconds``, a suspension every ``suspend_every`` s."""
    total, every = int(rate * seconds), max(1, round(rate * suspend_every))
    suspended = iter(experts)
    others = itertools.cycle(directory)
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        for i in range(total):
            due = started + i / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            expert = next(suspended, None) if i % every == every // 2 else None
            if expert is not None:
                pool.submit(suspend, updater, poller, expert)
            else:
                pool.submit(updater.put, next(others), True)
    answered = [t for t in updater.answered if t >= started]
    return {"sent": total, "achieved_rate": len(answered) / (max(answered) - started)}


def run(stack_kind: str = "production", seconds: float = 60, rate: float = 200, suspend_every: float = 0.5,
        directory_size: int = 2000, quiet_samples: int = 10, web_workers: int = 1, web_threads: int = 4) -> list[dict]:
    command = (f"python -m tests.bench.bench_freshness --stack {stack_kind} --seconds {seconds:g} "
               f"--rate {rate:g} --suspend-every {suspend_every:g} --web-workers {web_workers} "
               f"--web-threads {web_threads}")
    work = Path(tempfile.mkdtemp(prefix="bench-freshness-"))
    pg, mq = Postgres(), RabbitMQ()
    stack = production_stack(work, pg, mq) if stack_kind == "production" else embedded_stack(work)
    stack.env.update(GUNICORN_WORKERS=str(web_workers), GUNICORN_THREADS=str(web_threads))  # every web process
    suspensions = math.ceil(seconds / suspend_every)
    try:
        stack.start()
        print(f"  {stack_kind} stack up; publishing a page of {suspensions + quiet_samples + 11} experts",
              file=sys.stderr, flush=True)
        ready = publishable_page(stack, experts=suspensions + quiet_samples + 11)
        pid, token, slug = ready["partner"]["id"], ready["admin"]["token"], ready["partner"]["slug"]
        answer = stack.call("PUT", f"/api/v1/partners/{pid}/page/published", token, json={"published": True})
        assert answer.status_code == 200, answer.text
        directory = eligible_talent(directory_size, seed=7)
        load_directory(stack, directory)
        poller = PagePoller(f"{stack.url}/api/v1/public/pages/{slug}")
        poller.start()
        updater = Updater(stack)
        experts = ready["talent"]
        at_rest = quiet(updater, poller, experts[:quiet_samples + 1])
        experts = experts[1:]
        print(f"  quiet: {len(at_rest)} suspensions; now {rate:g} updates/s for {seconds:g} s",
              file=sys.stderr, flush=True)
        under_load = experts[quiet_samples:quiet_samples + suspensions]
        cpu_before, own_before = suite_cpu(stack.runner.pid), _own_cpu()
        sent = loaded(updater, poller, under_load, directory, rate, seconds, suspend_every)
        poller.wait_for_all(GONE_TIMEOUT)
        cpu = {name: used - cpu_before.get(name, 0.0) for name, used in suite_cpu(stack.runner.pid).items()}
        own = _own_cpu() - own_before
        poller.stop.set()
        poller.join(15)
        latencies = [poller.latencies[e["freelancer_id"]] * 1000 for e in under_load
                     if e["freelancer_id"] in poller.latencies]
        missing = len(poller.watching)
    finally:
        stack.stop()
        mq.delete_all()
        pg.drop_all()
    refused = collections.Counter(error.split(" ", 1)[0] for error in updater.errors)
    quiet_ms = [x * 1000 for x in at_rest]
    note = (f"{stack_kind} stack, web processes {web_workers} x {web_threads} threads; {len(latencies)} suspensions among {sent['sent']} updates sent at "
            f"{rate:g}/s, answered at {sent['achieved_rate']:.0f}/s; "
            f"refused: {', '.join(f'{n} with {code}' for code, n in refused.items()) or 'none'}; "
            f"{missing} not gone within {GONE_TIMEOUT:.0f} s; {poller.polls} page polls ({poller.failed} failed); suite CPU per update "
            f"{1000 * sum(cpu.values()) / sent['sent']:.1f} ms (" + ", ".join(
                f"{name} {1000 * used / sent['sent']:.1f}" for name, used in
                sorted(cpu.items(), key=lambda item: -item[1])[:5]) + f"); the load generator and poller "
            f"{1000 * own / sent['sent']:.1f} ms per update on the same cores")
    rows = []
    for q in (50, 99):
        value = percentile(latencies, q) if latencies else float("inf")
        rows.append(figure("freshness", f"change to public page, p{q}, suspension accepted to expert gone, "
                                        f"{rate:g} updates/s", value, "ms", command,
                           baseline=percentile(quiet_ms, q) if quiet_ms else None,
                           baseline_what="no other updates", target="< 1000 ms" if q == 99 else "",
                           met=(value < 1000 and not refused and sent["achieved_rate"] >= 0.95 * rate) if q == 99
                           else None, note=note))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stack", choices=("production", "embedded"), default="production")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--suspend-every", type=float, default=0.5)
    parser.add_argument("--directory", type=int, default=2000)
    parser.add_argument("--web-workers", type=int, default=1, help="gunicorn workers of every web process")
    parser.add_argument("--web-threads", type=int, default=4, help="gunicorn threads of every web worker")
    args = parser.parse_args()
    rows = run(args.stack, args.seconds, args.rate, args.suspend_every, args.directory,
               web_workers=args.web_workers, web_threads=args.web_threads)
    print_rows(rows)
    print(rows[0]["note"])


if __name__ == "__main__":
    main()
