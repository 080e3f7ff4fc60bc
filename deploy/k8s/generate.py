"""Write the Kubernetes base manifests from the list of parts and processes
(deploy/processes.py), so that no process can lack its Deployment, probes or migration Job.

    python -m deploy.k8s.generate      # rewrites deploy/k8s/base/
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from deploy.processes import PARTS

BASE = Path(__file__).parent / "base"
CONTROLLER = Path(__file__).parent / "ingress-nginx"
NGINX_CONF = Path(__file__).resolve().parents[1] / "nginx" / "gateway.conf"
BULK = "/internal/v1/talent:bulk"
GATEWAY_ADMIN_PORT = 9000  # the gateway's /metrics and /readyz (API.md: never on the public port)
METRICS_PORT = 9100
RESOURCES = {
    "web": {"requests": {"cpu": "100m", "memory": "160Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
    "worker": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "384Mi"}},
}
# the restricted Pod Security Standard, on every container (and the namespace enforces it)
SECURITY = {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}}
POD_SECURITY = {"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}


NAMESPACE = "experts-portal"  # each overlay renames it (kustomize's namespace field)
PORTS = {"postgresql": 5432, "amqp": 5672, "redis": 6379}
INGRESS_NAMESPACE = "ingress-nginx"  # where the ingress controller runs
MONITORING_NAMESPACE = "monitoring"  # where Prometheus runs


def labels(part: str, process: str) -> dict:
    return {"app.kubernetes.io/name": part, "app.kubernetes.io/component": process,
            "app.kubernetes.io/part-of": "experts-portal"}


def container(part: str, process: str) -> dict:
    env = [{"name": "PORTAL_PART", "value": part}, {"name": "SKIP_MIGRATIONS", "value": "1"},
           {"name": "PROMETHEUS_MULTIPROC_DIR", "value": "/tmp/metrics"} if process == "web" else
           {"name": "METRICS_PORT", "value": str(METRICS_PORT)}]
    spec = {"name": process, "image": f"portal-{part}", "args": [process], "env": env,
            "envFrom": [{"configMapRef": {"name": "portal-config"}}, {"secretRef": {"name": "portal-secrets"}}],
            "securityContext": SECURITY, "resources": RESOURCES["web" if process == "web" else "worker"],
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}
    if process == "web":
        spec["ports"] = [{"name": "http", "containerPort": 8000}]
        ready_port = "http"
        if part == "gateway":  # its /readyz and /metrics answer on the admin port only
            spec["ports"].append({"name": "admin", "containerPort": GATEWAY_ADMIN_PORT})
            env.append({"name": "GATEWAY_ADMIN_PORT", "value": str(GATEWAY_ADMIN_PORT)})
            ready_port = "admin"
        spec["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10,
                                 "failureThreshold": 3}
        spec["readinessProbe"] = {"httpGet": {"path": "/readyz", "port": ready_port}, "periodSeconds": 5,
                                  "failureThreshold": 2}
    else:
        spec["ports"] = [{"name": "metrics", "containerPort": METRICS_PORT}]
        spec["livenessProbe"] = {"tcpSocket": {"port": "metrics"}, "periodSeconds": 15, "failureThreshold": 4}
        spec["readinessProbe"] = {"tcpSocket": {"port": "metrics"}, "periodSeconds": 10}
    if part == "membership":
        spec["volumeMounts"].append({"name": "signing-keys", "mountPath": "/keys", "readOnly": True})
        env.append({"name": "MEMBERSHIP_SIGNING_KEYS_DIR", "value": "/keys"})
    return spec


def pod(part: str, process: str, restart: str = "Always") -> dict:
    volumes = [{"name": "tmp", "emptyDir": {}}]
    if part == "membership":
        volumes.append({"name": "signing-keys", "secret": {"secretName": "membership-signing-keys"}})
    return {"metadata": {"labels": labels(part, process)},
            "spec": {"securityContext": POD_SECURITY, "restartPolicy": restart,
                     "terminationGracePeriodSeconds": 30, "automountServiceAccountToken": False,
                     "containers": [container(part, process)], "volumes": volumes}}


def deployment(part: str, process: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": f"{part}-{process}", "labels": labels(part, process)},
            "spec": {"replicas": 1 if process != "web" else 2,
                     "selector": {"matchLabels": labels(part, process)},
                     "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
                     if process == "web" else {"type": "Recreate"},
                     "template": pod(part, process)}}


def migration_job(part: str) -> dict:
    template = pod(part, "migrate", restart="OnFailure")
    template["spec"]["containers"][0]["args"] = ["migrate"]
    for key in ("ports", "livenessProbe", "readinessProbe"):
        template["spec"]["containers"][0].pop(key, None)
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": f"{part}-migrate", "labels": labels(part, "migrate"), "annotations": {
                # run before the Deployments roll out (Argo CD / Helm); see docs/operations.md
                "argocd.argoproj.io/hook": "PreSync", "helm.sh/hook": "pre-install,pre-upgrade"}},
            "spec": {"backoffLimit": 3, "ttlSecondsAfterFinished": 3600, "template": template}}


def service(part: str) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": part, "labels": labels(part, "web")},
            "spec": {"selector": labels(part, "web"), "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}


def autoscaler(part: str) -> dict:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": f"{part}-web", "labels": labels(part, "web")},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{part}-web"},
                     "minReplicas": 2, "maxReplicas": 10,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "Utilization", "averageUtilization": 70}}}]}}


def disruption_budget(part: str) -> dict:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": f"{part}-web", "labels": labels(part, "web")},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(part, "web")}}}


def nginx_settings(block: str = "server") -> dict[str, str]:
    """The directives written in one block of deploy/nginx/gateway.conf, name -> value:
    ``"server"``, or a location inside it such as ``f"location = {BULK}"``."""
    text = re.sub(r"#[^\n]*", "", NGINX_CONF.read_text())
    stack, found = [], {}
    for statement, end in re.findall(r"([^;{}]*)([;{}])", text):
        statement = " ".join(statement.split())
        if end == "{":
            stack.append(statement)
        elif end == "}":
            stack.pop()
        elif statement and " ".join(stack[-1:]) == block and len(stack) == (1 if block == "server" else 2):
            name, _, value = statement.partition(" ")
            found.setdefault(name, value)
    return found


def seconds(value: str) -> str:
    """nginx's "10s" as ingress-nginx writes it: "10"."""
    return str(int(value.removesuffix("s")))


def ingress_annotations(block: str = "server") -> dict:
    """ingress-nginx's per-Ingress equivalents of deploy/nginx/gateway.conf (docs/operations.md)."""
    server, own = nginx_settings(), nginx_settings(block)
    value = {**server, **own}.__getitem__
    prefix = "nginx.ingress.kubernetes.io/"
    return {prefix + name: setting for name, setting in {
        "proxy-body-size": value("client_max_body_size"),
        "proxy-request-buffering": value("proxy_request_buffering"),
        "client-body-buffer-size": value("client_body_buffer_size"),
        "proxy-buffering": value("proxy_buffering"),
        "proxy-buffer-size": value("proxy_buffer_size"),
        "proxy-buffers-number": value("proxy_buffers").split()[0],
        "proxy-connect-timeout": seconds(value("proxy_connect_timeout")),
        "proxy-send-timeout": seconds(value("proxy_send_timeout")),
        "proxy-read-timeout": seconds(value("proxy_read_timeout")),
        "proxy-http-version": value("proxy_http_version"),
    }.items()}


def ingress(name: str = "gateway", path: str = "/", path_type: str = "Prefix", block: str = "server") -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "labels": labels("gateway", "web"), "annotations": ingress_annotations(block)},
            "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["experts.example.com"], "secretName": "gateway-tls"}],
                     "rules": [{"host": "experts.example.com", "http": {"paths": [{
                         "path": path, "pathType": path_type,
                         "backend": {"service": {"name": "gateway", "port": {"name": "http"}}}}]}}]}}


def bulk_ingress() -> dict:
    """Bulk ingest's larger body and longer wait. ingress-nginx's strict path check allows no
    ':' in Exact or Prefix paths; ImplementationSpecific without regex is nginx's prefix match."""
    return ingress("gateway-bulk", BULK, "ImplementationSpecific", f"location = {BULK}")


def controller_config() -> dict:
    """Settings ingress-nginx takes only from its controller's ConfigMap (cluster-wide, so not
    part of our kustomization): merge these into yours. Values from deploy/nginx/gateway.conf."""
    server = nginx_settings()
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx"},
            "data": {"client-header-timeout": seconds(server["client_header_timeout"]),
                     "client-body-timeout": seconds(server["client_body_timeout"]),
                     "keep-alive": seconds(server["keepalive_timeout"]),
                     "keep-alive-requests": server["keepalive_requests"],
                     "large-client-header-buffers": server["large_client_header_buffers"],
                     "server-tokens": "false",
                     # X-Forwarded-For is the address the controller sees, never the client's claim
                     "use-forwarded-headers": "false", "compute-full-forwarded-for": "false"}}


def config_map() -> dict:
    data = {"PORTAL_PUBLIC_URL": "https://experts.example.com", "PORTAL_DEMO": "0", "S3_BUCKET": "experts-portal-assets",
            "GUNICORN_WORKERS": "2", "GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_THREADS": "4",
            "GATEWAY_TRUSTED_PROXIES": "1",  # the ingress controller is the one hop in front
            # rate limits and sign-in counts shared by every replica (a Redis the platform runs)
            "REDIS_URL": "redis://redis:6379/0"}
    data.update({f"{part.upper()}_URL": f"http://{part}" for part in PARTS})
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "portal-config"}, "data": data}


def namespace() -> dict:
    """The namespace enforces the restricted Pod Security Standard (every pod here meets it)."""
    levels = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    levels.update({f"pod-security.kubernetes.io/{mode}-version": "latest" for mode in ("enforce", "audit", "warn")})
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": levels}}


def policy(name: str, selector: dict, ingress_rules: list | None = None, egress_rules: list | None = None) -> dict:
    types = [kind for kind, rules in (("Ingress", ingress_rules), ("Egress", egress_rules)) if rules is not None]
    spec = {"podSelector": selector, "policyTypes": types}
    if ingress_rules is not None:
        spec["ingress"] = ingress_rules
    if egress_rules is not None:
        spec["egress"] = egress_rules
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/part-of": "experts-portal"}}, "spec": spec}


def from_namespace(name: str) -> dict:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def tcp(*ports) -> list[dict]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def network_policies() -> list[dict]:
    """Deny everything, then allow what each part needs (docs/operations.md, Kubernetes):
    the ingress controller reaches the gateway's http port; only the gateway reaches the
    services' http ports, except membership's, which every part asks for its signing keys
    (JWKS) and live memberships; Prometheus reaches every metrics port; each part reaches
    DNS, PostgreSQL (its own database: each role can open only its own), the broker and
    Redis; assets also S3 (443), and webhooks' deliverer partners' endpoints (80, 443)."""
    everyone = {"matchLabels": {"app.kubernetes.io/part-of": "experts-portal"}}
    dns = {"to": [{**from_namespace("kube-system"), "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
           "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
    scrape = {"from": [from_namespace(MONITORING_NAMESPACE)], "ports": tcp("http", "admin", "metrics")}
    policies = [policy("default-deny", {}, [], []),
                policy("dns-and-scrapes", everyone, [scrape], [dns])]
    gateway = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}}
    for part, processes in PARTS.items():
        mine = {"matchLabels": {"app.kubernetes.io/name": part}}
        egress = [{"ports": tcp(*PORTS.values())}]
        if part != "membership":
            egress.append({"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "membership",
                                                                   "app.kubernetes.io/component": "web"}}}],
                           "ports": tcp("http")})
        if part == "gateway":
            egress.append({"to": [{"podSelector": {"matchExpressions": [
                {"key": "app.kubernetes.io/name", "operator": "In", "values": [p for p in PARTS if p != "gateway"]},
                {"key": "app.kubernetes.io/component", "operator": "In", "values": ["web"]}]}}],
                "ports": tcp("http")})
        if part == "assets":
            egress.append({"ports": tcp(443)})  # S3
        if part == "webhooks":
            egress.append({"ports": tcp(80, 443)})  # partners' endpoints (checked by the service itself)
        policies.append(policy(f"{part}-egress", mine, None, egress))
        if "web" not in processes:
            continue
        web = {"matchLabels": {"app.kubernetes.io/name": part, "app.kubernetes.io/component": "web"}}
        if part == "gateway":
            callers = [from_namespace(INGRESS_NAMESPACE)]
        elif part == "membership":
            callers = [{"podSelector": everyone}]
        else:
            callers = [gateway]
        policies.append(policy(f"{part}-web-ingress", web, [{"from": callers, "ports": tcp("http")}]))
    return policies


def manifests() -> dict[str, list[dict]]:
    files = {"config.yaml": [config_map()], "ingress.yaml": [ingress(), bulk_ingress()],
             "namespace.yaml": [namespace()], "network-policies.yaml": network_policies()}
    for part, processes in PARTS.items():
        docs = [deployment(part, p) for p in processes] + [migration_job(part)]
        if "web" in processes:
            docs += [service(part), autoscaler(part), disruption_budget(part)]
        files[f"{part}.yaml"] = docs
    files["kustomization.yaml"] = [{"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                                    "resources": sorted(f for f in files if f != "kustomization.yaml")}]
    return files


def render(files: dict[str, list[dict]]) -> dict[str, str]:
    header = "# Generated by `python -m deploy.k8s.generate` from deploy/processes.py: do not edit.\n"
    return {name: header + yaml.safe_dump_all(docs, sort_keys=False) for name, docs in files.items()}


def render_controller() -> str:
    return ("# Generated by `python -m deploy.k8s.generate` from deploy/nginx/gateway.conf: do not edit.\n"
            "# The ingress-nginx controller's own settings (docs/operations.md): merge into its ConfigMap.\n"
            + yaml.safe_dump(controller_config(), sort_keys=False))


def main() -> int:
    BASE.mkdir(parents=True, exist_ok=True)
    for name, text in render(manifests()).items():
        (BASE / name).write_text(text)
    CONTROLLER.mkdir(exist_ok=True)
    (CONTROLLER / "controller-configmap.yaml").write_text(render_controller())
    return 0


if __name__ == "__main__":
    sys.exit(main())
