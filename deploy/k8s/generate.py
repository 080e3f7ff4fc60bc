"""Write the Kubernetes base manifests from the list of parts and processes
(deploy/processes.py), so that no process can lack its Deployment, probes or migration Job.

    python -m deploy.k8s.generate      # rewrites deploy/k8s/base/
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

from deploy.processes import PARTS

BASE = Path(__file__).parent / "base"
METRICS_PORT = 9100
RESOURCES = {
    "web": {"requests": {"cpu": "100m", "memory": "160Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
    "worker": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "384Mi"}},
}
SECURITY = {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
POD_SECURITY = {"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}


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
        spec["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10,
                                 "failureThreshold": 3}
        spec["readinessProbe"] = {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 5,
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


def ingress() -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "gateway", "labels": labels("gateway", "web"),
                         "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "12m"}},
            "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["experts.example.com"], "secretName": "gateway-tls"}],
                     "rules": [{"host": "experts.example.com", "http": {"paths": [{
                         "path": "/", "pathType": "Prefix",
                         "backend": {"service": {"name": "gateway", "port": {"name": "http"}}}}]}}]}}


def config_map() -> dict:
    data = {"PORTAL_PUBLIC_URL": "https://experts.example.com", "PORTAL_DEMO": "0", "S3_BUCKET": "experts-portal-assets",
            "GUNICORN_WORKERS": "2", "GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_THREADS": "4"}
    data.update({f"{part.upper()}_URL": f"http://{part}" for part in PARTS})
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "portal-config"}, "data": data}


def manifests() -> dict[str, list[dict]]:
    files = {"config.yaml": [config_map()], "ingress.yaml": [ingress()]}
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


def main() -> int:
    BASE.mkdir(parents=True, exist_ok=True)
    for name, text in render(manifests()).items():
        (BASE / name).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
