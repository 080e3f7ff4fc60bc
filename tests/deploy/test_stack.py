"""The Compose file that users run, run here (issue 21): a partner's journey through nginx
with mail reaching an SMTP server, a rolling update of catalog and the gateway under load and
its rollback with zero failed requests, killed processes that come back with no event lost,
and assets deployed alone with its own migration while the rest keeps running.
The figures go to var/deploy-check/results.json (docs/operations.md quotes them)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.deploy.podstack import PROJECT, ROOT, podman
from tests.e2e.helpers import later, publishable_page, put_talent, upload
from tests.support.procs import wait_until

RESULTS = ROOT / "var" / "deploy-check" / "results.json"
JOURNEY: dict = {}


def record(name: str, value) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[name] = value
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"{name}: {value}")


def build(part: str, tag: str, context: Path | None = None) -> str:
    command = [sys.executable, "-m", "deploy.docker.build", part, "--tag", tag, "--label", f"portal.version={tag}",
               "--no-check"]
    if context is not None:
        command += ["--context", str(context)]
    subprocess.run(command, cwd=ROOT, check=True, timeout=1200)
    return f"localhost/portal-{part}:{tag}"


def test_every_container_of_the_compose_file_runs_and_passes_its_healthcheck(deployed):
    rows = [r for r in deployed.containers() if r["service"]]
    record("compose up seconds", round(deployed.up_seconds))
    record("compose ready seconds (nginx answering)", round(deployed.ready_seconds))
    assert {r["service"] for r in rows} >= set(deployed.services), set(deployed.services) - {r["service"] for r in rows}
    for row in rows:
        assert row["state"] == "running", row
        wait_until(lambda: deployed.healthy(row["name"]), 120, 2, f"{row['name']} healthy")
    # only nginx is published; the services answer on the Compose network only
    assert requests.get("http://127.0.0.1:8080/healthz", timeout=5).status_code == 200
    nginx = deployed.inspect(deployed.current["nginx"])
    assert deployed.inspect(deployed.current["gateway-web"])["HostConfig"]["PortBindings"] in (None, {})
    assert nginx["HostConfig"]["PortBindings"]
    user = deployed.inspect(deployed.current["catalog-web"])["Config"]["User"]
    assert user.split(":")[0] == "10001" and deployed.inspect(deployed.current["catalog-web"])["HostConfig"]["ReadonlyRootfs"]


def test_a_partner_signs_up_is_granted_curates_uploads_publishes_and_a_suspended_expert_vanishes(deployed):
    ready = publishable_page(deployed, experts=13)  # sign-up, mailed verification link, grant, curation, uploads
    assert any(str(m["To"]).lower() == ready["admin"]["email"].lower() for m in deployed.messages)
    pid, token = ready["partner"]["id"], ready["admin"]["token"]
    published = deployed.call("PUT", f"/api/v1/partners/{pid}/page/published", token, json={"published": True})
    assert published.status_code == 200, published.text
    page = f"/experts/{ready['partner']['slug']}"
    shown = deployed.call("GET", page)
    assert shown.status_code == 200 and ready["talent"][0]["name"] in shown.text
    expert = ready["talent"][0]
    put_talent(deployed, {**expert, "account_status": "suspended", "updated_at": later(expert["updated_at"])})
    wait_until(lambda: expert["name"] not in deployed.call("GET", page).text, 10, 0.1, "the suspended expert to vanish")
    JOURNEY.update(ready=ready, page=page)


class Load:
    """Readers of the public page and its JSON twin, and one curator declining and approving
    an expert, through nginx, until stopped. A failure is an exception or an answer other
    than the one expected (200)."""

    def __init__(self, deployed, ready: dict, page: str, readers: int = 3):
        self.deployed, self.ready, self.page = deployed, ready, page
        self.counts: Counter = Counter()
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.read, daemon=True) for _ in range(readers)]
        self.threads.append(threading.Thread(target=self.curate, daemon=True))
        self.lock = threading.Lock()

    def note(self, kind: str, answer_or_error) -> None:
        with self.lock:
            self.counts[kind] += 1
            if isinstance(answer_or_error, Exception):
                self.failures.append(f"{kind}: {type(answer_or_error).__name__}: {answer_or_error}"[:300])
            elif answer_or_error.status_code != 200:
                self.failures.append(f"{kind}: {answer_or_error.status_code} {answer_or_error.text[:200]}")

    def read(self) -> None:
        session = requests.Session()
        slug = self.ready["partner"]["slug"]
        while not self.stop.is_set():
            for kind, path in (("page", self.page), ("page json", f"/api/v1/public/pages/{slug}")):
                try:
                    self.note(kind, session.get(f"http://127.0.0.1:8080{path}", timeout=30))
                except requests.RequestException as exc:
                    self.note(kind, exc)

    def curate(self) -> None:
        session = requests.Session()
        pid, uid = self.ready["partner"]["id"], self.ready["use_case_id"]
        fid = self.ready["talent"][-1]["freelancer_id"]
        headers = {"Authorization": f"Bearer {self.ready['admin']['token']}"}
        base = f"http://127.0.0.1:8080/api/v1/partners/{pid}/use-cases/{uid}/experts"
        while not self.stop.is_set():
            for action in ("decline", "approve"):
                try:
                    self.note(f"curate {action}", session.post(f"{base}/{fid}/{action}", headers=headers, timeout=30))
                except requests.RequestException as exc:
                    self.note(f"curate {action}", exc)
            try:
                self.note("curation list", session.get(base, headers=headers, timeout=30))
            except requests.RequestException as exc:
                self.note("curation list", exc)
            time.sleep(0.05)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


def fresh_token(deployed) -> str:
    admin = JOURNEY["ready"]["admin"]
    session = deployed.call("POST", "/api/v1/sessions", json={"email": admin["email"], "password": admin["password"]})
    assert session.status_code == 200, session.text
    return session.json()["access_token"]


def roll(deployed, tag: str, images: dict[str, str]) -> list[str]:
    """Replace catalog's containers, then the gateway's, one by one."""
    done = []
    for service in ("catalog-web", "catalog-consumer", "catalog-relay", "gateway-web", "gateway-consumer"):
        part = service.split("-")[0]
        done.append(deployed.replace(service, images[part], tag, reload_nginx=service == "gateway-web"))
        assert deployed.inspect(done[-1])["ImageName"].endswith(images[part].split("/")[-1])
    return done


def test_catalog_and_the_gateway_roll_forward_and_back_under_load_with_no_failed_request(deployed):
    if not JOURNEY:
        pytest.skip("needs the journey's published page")
    JOURNEY["ready"]["admin"]["token"] = fresh_token(deployed)  # access tokens last 15 minutes
    nxt = {part: build(part, "next") for part in ("catalog", "gateway")}
    old = {part: f"localhost/portal-{part}:latest" for part in ("catalog", "gateway")}
    figures = {}
    for phase, images, tag in (("rolling update", nxt, "next"), ("rollback", old, "back")):
        with Load(deployed, JOURNEY["ready"], JOURNEY["page"]) as load:
            time.sleep(3)
            started = time.monotonic()
            roll(deployed, tag, images)
            took = time.monotonic() - started
            time.sleep(3)
        figures[phase] = {"requests": sum(load.counts.values()), "failed": len(load.failures),
                          "by kind": dict(load.counts), "seconds": round(took)}
        record(f"{phase} (catalog web, consumer, relay; gateway web, consumer)", figures[phase])
        assert load.counts["page"] > 0 and load.counts["curate approve"] > 0
        assert not load.failures, load.failures[:10]
        JOURNEY["ready"]["admin"]["token"] = fresh_token(deployed)


def test_a_killed_consumer_and_a_killed_web_process_come_back_and_no_event_is_lost(deployed):
    if not JOURNEY:
        pytest.skip("needs the journey's published page")
    page, ready = JOURNEY["page"], JOURNEY["ready"]
    expert = ready["talent"][1]
    assert expert["name"] in deployed.call("GET", page).text
    before = deployed.kill_main_process("catalog-consumer")
    # while catalog's consumer is gone, eligibility publishes the suspension: it must wait in the queue
    put_talent(deployed, {**expert, "account_status": "suspended", "updated_at": later(expert["updated_at"], 120)})
    consumer = deployed.current["catalog-consumer"]
    wait_until(lambda: deployed.inspect(consumer)["RestartCount"] > before
               and deployed.inspect(consumer)["State"]["Running"], 60, 0.5, "catalog's consumer to restart")
    wait_until(lambda: expert["name"] not in deployed.call("GET", page).text, 60, 0.5,
               "the suspension published while the consumer was down to reach the page")
    restarted = {"catalog-consumer": deployed.inspect(consumer)["RestartCount"]}

    web = deployed.current["catalog-web"]
    before = deployed.kill_main_process("catalog-web")
    wait_until(lambda: deployed.inspect(web)["RestartCount"] > before and deployed.healthy(web), 120, 1,
               "catalog's web process to restart and answer")
    token = fresh_token(deployed)
    listed = deployed.call("GET", f"/api/v1/partners/{ready['partner']['id']}/use-cases/{ready['use_case_id']}/experts",
                           token)
    assert listed.status_code == 200, listed.text
    restarted["catalog-web"] = deployed.inspect(web)["RestartCount"]
    record("killed with SIGKILL, restarted by podman (restart count)", restarted)


def new_migration(context: Path) -> str:
    """A migration of assets' own (an index on asset_versions.uploaded_at) after its head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    folder = context / "services" / "assets" / "migrations"
    config = Config()
    config.set_main_option("script_location", str(folder))
    head = ScriptDirectory.from_config(config).get_current_head()
    revision = uuid.uuid4().hex[:12]
    (folder / "versions" / f"{revision}_deploy_check_index.py").write_text(f'''"""deploy check: index uploaded_at

Revision ID: {revision}
Revises: {head}
"""
from alembic import op

revision = "{revision}"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_asset_versions_uploaded_at", "asset_versions", ["uploaded_at"])


def downgrade():
    op.drop_index("ix_asset_versions_uploaded_at", table_name="asset_versions")
''')
    return revision


def test_assets_is_deployed_alone_with_its_own_migration_while_the_others_keep_running(deployed):
    if not JOURNEY:
        pytest.skip("needs the journey's published page")
    context = Path(tempfile.mkdtemp(prefix="assets-next-"))
    try:
        for name in ("services", "gateway", "deploy"):
            shutil.copytree(ROOT / name, context / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copy(ROOT / ".dockerignore", context / ".dockerignore")
        revision = new_migration(context)
        image = build("assets", "next", context)
    finally:
        shutil.rmtree(context, ignore_errors=True)
    others = {r["name"]: deployed.inspect(r["name"])["State"]["StartedAt"] for r in deployed.containers()
              if r["service"] and not r["service"].startswith("assets-") and r["state"] == "running"}
    started = time.monotonic()
    deployed.run_like("assets-web", image, f"{PROJECT}_assets-migrate_next", command=["migrate"], detach=False)
    assert deployed.sql("assets", "SELECT version_num FROM alembic_version") == revision
    assert deployed.sql("assets", "SELECT indexname FROM pg_indexes WHERE indexname = 'ix_asset_versions_uploaded_at'")
    for service in ("assets-web", "assets-consumer", "assets-relay"):
        deployed.replace(service, image, "next")
    record("assets alone: migration and three containers (seconds)", round(time.monotonic() - started))
    ready = JOURNEY["ready"]
    uploaded = upload(deployed, fresh_token(deployed), ready["partner"]["id"], "logo-light", "logo-viewbox-short.svg")
    assert uploaded.status_code == 200, uploaded.text
    wait_until(lambda: uploaded.json()["url"].rsplit("/", 1)[-1] in deployed.call("GET", JOURNEY["page"]).text,
               10, 0.2, "the new logo on the page")
    after = {name: deployed.inspect(name)["State"]["StartedAt"] for name in others}
    assert after == others, "only assets' containers changed"
