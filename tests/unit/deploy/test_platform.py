"""What a platform team relies on, checked without running a container (the containers run
in `make deploy-check`, tests/deploy): Prometheus' scrape list and alert rules (promtool),
the dashboard beside them, the images' recipes, and the Kubernetes manifests' Pod Security,
NetworkPolicies and settings."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from deploy.compose import generate as compose_gen
from deploy.docker import healthcheck
from deploy.k8s import generate as k8s_gen
from deploy.processes import PARTS
from tests.unit.deploy.test_deployment_files import rendered

ROOT = Path(__file__).resolve().parents[3]
PROMETHEUS = ROOT / "deploy" / "prometheus"
COMPOSE = ROOT / "deploy" / "compose"


def promtool(*args: str, cwd: Path = PROMETHEUS) -> subprocess.CompletedProcess:
    if shutil.which("promtool") is None:
        pytest.fail("promtool is needed (Debian's prometheus package: `make test` installs it)")
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True)


def test_promtool_accepts_the_alert_rules_and_each_alert_fires_on_its_own_unit_test():
    checked = promtool("check", "rules", "rules/portal.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool("test", "rules", "tests/portal_test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    alerts = {r["alert"] for g in yaml.safe_load((PROMETHEUS / "rules" / "portal.yml").read_text())["groups"]
              for r in g["rules"] if "alert" in r}
    unit_tested = set(re.findall(r"alertname: (\w+)", (PROMETHEUS / "tests" / "portal_test.yml").read_text()))
    assert alerts == unit_tested, alerts ^ unit_tested


def test_the_alerts_watch_only_metrics_the_services_export_and_cover_each_signal():
    """A rule on a metric nobody exports never fires: every portal_* name in the rules is
    declared in the code, and the golden signals and the event pipeline each have an alert."""
    exported = set()
    for source in [*ROOT.glob("services/**/*.py"), *ROOT.glob("gateway/**/*.py")]:
        exported |= set(re.findall(r"""(?:Counter|Gauge|Histogram)\(\s*["'](portal_\w+)["']""", source.read_text()))
    rules = (PROMETHEUS / "rules" / "portal.yml").read_text()
    used = {re.sub(r"_(bucket|count|sum)$", "", name) for name in re.findall(r"portal_\w+", rules)}
    assert used <= exported, used - exported
    for metric in ("portal_http_requests_total", "portal_http_request_duration_seconds", "portal_outbox_pending",
                   "portal_queue_depth", "portal_dead_letters", "portal_webhook_attempts_total"):
        assert metric in rules, metric


def test_prometheus_scrapes_every_process_of_the_compose_file_on_the_port_it_serves_metrics_on(tmp_path):
    config_text = (PROMETHEUS / "prometheus.yml").read_text()
    assert config_text == compose_gen.render_prometheus(), "stale: run python -m deploy.compose.generate"
    config = yaml.safe_load(config_text)
    services = yaml.safe_load((COMPOSE / "docker-compose.yml").read_text())["services"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for part, processes in PARTS.items():
        for process in processes:
            [sd] = jobs[f"{part}-{process}"]["dns_sd_configs"]
            assert sd["names"] == [f"{part}-{process}"] and f"{part}-{process}" in services
            environment = services[f"{part}-{process}"]["environment"]
            if process == "web":
                assert sd["port"] == (int(environment["GATEWAY_ADMIN_PORT"]) if part == "gateway" else 8000)
                assert environment["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")  # tmpfs: the root is read-only
            else:
                assert sd["port"] == int(environment["METRICS_PORT"])
    assert "../prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    # promtool reads the rule files from where the container mounts them: check a copy laid out so
    shutil.copytree(PROMETHEUS, tmp_path / "etc")
    local = config_text.replace("/etc/prometheus/", str(tmp_path / "etc") + "/")
    (tmp_path / "etc" / "prometheus.yml").write_text(local)
    checked = promtool("check", "config", str(tmp_path / "etc" / "prometheus.yml"), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_dashboard_shows_the_signals_the_alerts_watch():
    dashboard = json.loads((PROMETHEUS / "grafana-dashboard.json").read_text())
    queries = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for name in ("part:http_requests:rate5m", "part:http_server_errors:ratio5m", "part:http_latency_seconds:p95_5m",
                 "portal_outbox_pending", "portal_queue_depth", "portal_dead_letters", "portal_webhook_attempts_total",
                 "up{"):
        assert name in queries, name
    part_choices = next(v for v in dashboard["templating"]["list"] if v["name"] == "part")["query"].split(",")
    assert set(part_choices) == set(PARTS)


def test_every_image_recipe_defaults_to_the_official_python_runs_as_a_user_and_checks_its_health():
    base = (ROOT / "deploy" / "docker" / "base.Dockerfile").read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim\nFROM ${PYTHON_IMAGE}" in base
    assert re.search(r"^HEALTHCHECK .*deploy/healthcheck\.py", base, re.M)
    for part in PARTS:
        recipe = (ROOT / "deploy" / "docker" / f"{part}.Dockerfile").read_text()
        assert re.search(r"^USER 10001:10001$", recipe, re.M), part
        assert recipe.rstrip().splitlines()[-1] == 'CMD ["web"]'
    ignored = (ROOT / ".dockerignore").read_text()
    for copied in re.findall(r"^COPY (.+) \S+$", base, re.M):
        for source in copied.split():
            assert f"!{source}" in ignored or f"!{source.split('/')[0]}/" in ignored, source


def test_the_healthcheck_asks_web_for_healthz_and_workers_for_their_metrics():
    assert healthcheck.target(["python", "-m", "gunicorn", "-c", "x"], {}) == "http://127.0.0.1:8000/healthz"
    assert healthcheck.target(["bash", "deploy/boot.sh", "web"], {"PORT": "8001"}) == "http://127.0.0.1:8001/healthz"
    assert healthcheck.target(["python", "-m", "services.catalog", "consume"], {"METRICS_PORT": "9100"}) == \
        "http://127.0.0.1:9100/metrics"
    assert healthcheck.target(["python", "-m", "services.catalog", "relay"], {}) is None


def test_the_debian_override_replaces_every_image_that_cannot_be_pulled_with_one_built_here():
    main = yaml.safe_load((COMPOSE / "docker-compose.yml").read_text())["services"]
    override = yaml.safe_load((COMPOSE / "docker-compose.debian.yml").read_text())["services"]
    pulled = {name for name, service in main.items() if "build" not in service}
    assert pulled == {name for name, service in override.items() if "image" in service and name in main}
    built = {p.name.removesuffix(".Dockerfile") for p in (COMPOSE / "debian").glob("*.Dockerfile")}
    for service in override.values():
        if "image" in service:
            assert service["image"].removeprefix("localhost/portal-").removesuffix(":latest") in built


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_pod_meets_the_restricted_pod_security_standard_which_its_namespace_enforces(overlay):
    docs = rendered(overlay)
    [namespace] = [d for d in docs if d["kind"] == "Namespace"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {namespace["metadata"]["name"]}
    for doc in docs:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        pod = doc["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert not any(key in pod for key in ("hostNetwork", "hostPID", "hostIPC"))
        assert all("hostPath" not in volume for volume in pod["volumes"])
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False and security["capabilities"]["drop"] == ["ALL"]
            assert security["readOnlyRootFilesystem"] is True and security["runAsNonRoot"] is True
            assert security["seccompProfile"]["type"] == "RuntimeDefault"
            assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]


def policy_allows(policies: list[dict], direction: str, pod: dict, peer: dict, port) -> bool:
    """Whether any policy selecting ``pod`` lets ``peer`` (labels, plus ``ns`` for its namespace
    name) in or out on ``port`` (a number or a port name) — enough of the NetworkPolicy rules
    for the selectors these manifests use."""
    def selects(selector: dict, labels: dict) -> bool:
        ok = all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())
        return ok and all(labels.get(e["key"]) in e["values"] for e in selector.get("matchExpressions", []))

    for policy in policies:
        spec = policy["spec"]
        if not selects(spec["podSelector"], pod) or direction.capitalize() not in spec["policyTypes"]:
            continue
        for rule in spec.get(direction, []):
            peers = rule.get("from" if direction == "ingress" else "to")
            peer_ok = peers is None or any(
                (("namespaceSelector" not in p and peer.get("ns") == "portal")
                 or ("namespaceSelector" in p and selects(p["namespaceSelector"], {"kubernetes.io/metadata.name": peer.get("ns")})))
                and ("podSelector" not in p or selects(p["podSelector"], peer)) for p in peers)
            if peer_ok and any(p["port"] == port for p in rule.get("ports", [])):
                return True
    return False


def test_network_policies_let_only_the_gateway_reach_the_services_and_each_part_only_its_backends():
    policies = [d for d in rendered("prod") if d["kind"] == "NetworkPolicy"]
    [deny] = [p for p in policies if p["metadata"]["name"] == "default-deny"]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [], "egress": []}

    def pod(part, process="web"):
        return {**k8s_gen.labels(part, process), "ns": "portal"}

    outsider = {"app": "something-else", "ns": "portal"}
    ingress_controller = {"app.kubernetes.io/name": "ingress-nginx", "ns": k8s_gen.INGRESS_NAMESPACE}
    dns = {"k8s-app": "kube-dns", "ns": "kube-system"}
    anywhere = {"ns": None}
    assert policy_allows(policies, "ingress", pod("gateway"), ingress_controller, "http")
    assert not policy_allows(policies, "ingress", pod("gateway"), outsider, "http")
    for part, processes in PARTS.items():
        for process in processes:
            assert policy_allows(policies, "egress", pod(part, process), dns, 53)
            for port in (5432, 5672, 6379):
                assert policy_allows(policies, "egress", pod(part, process), anywhere, port), (part, process, port)
            assert policy_allows(policies, "egress", pod(part, process), anywhere, 443) == (part in ("assets", "webhooks"))
            assert not policy_allows(policies, "egress", pod(part, process), anywhere, 8000)
        if part == "gateway":
            continue
        assert policy_allows(policies, "ingress", pod(part), pod("gateway"), "http"), part
        assert policy_allows(policies, "egress", pod("gateway"), pod(part), "http"), part
        assert not policy_allows(policies, "ingress", pod(part), outsider, "http"), part
        assert not policy_allows(policies, "ingress", pod(part), ingress_controller, "http"), part
        # every part asks membership for its signing keys and live memberships, and nobody else
        for other in PARTS:
            if other not in ("gateway", part):
                assert policy_allows(policies, "ingress", pod(part), pod(other), "http") == (part == "membership")


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_part_gets_redis_and_one_trusted_proxy_and_webhooks_is_deployed(overlay):
    docs = rendered(overlay)
    [config] = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "portal-config"]
    assert config["data"]["REDIS_URL"].startswith("redis://") and config["data"]["GATEWAY_TRUSTED_PROXIES"] == "1"
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for process in PARTS["webhooks"]:
        assert ("Deployment", f"webhooks-{process}") in names
    assert ("Job", "webhooks-migrate") in names
