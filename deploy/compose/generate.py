"""Write the Docker Compose file for one host from the list of parts and processes.

    python -m deploy.compose.generate     # rewrites deploy/compose/docker-compose.yml
"""
from __future__ import annotations

from pathlib import Path

import yaml

from deploy.processes import PARTS

HERE = Path(__file__).parent
PROMETHEUS = HERE.parent / "prometheus"
HEALTHY = {"condition": "service_healthy"}
PUBLIC_PORT = 8080  # the only port published: nginx's
GATEWAY_ADMIN_PORT = 9000  # the gateway's /metrics and /readyz, on the Compose network only
METRICS_PORT = 9100  # workers' /metrics (Prometheus, and the images' healthcheck)
PROMETHEUS_PORT = 9090  # published on 127.0.0.1 only


def infrastructure() -> dict:
    return {
        "postgres": {"image": "postgres:15", "env_file": [".env"],
                     "volumes": ["postgres-data:/var/lib/postgresql/data", "./initdb:/docker-entrypoint-initdb.d:ro"],
                     "healthcheck": {"test": ["CMD-SHELL", "pg_isready -U postgres"], "interval": "5s",
                                     "timeout": "3s", "retries": 20}},
        "rabbitmq": {"image": "rabbitmq:3.13-management", "env_file": [".env"], "ports": ["127.0.0.1:15672:15672"],
                     "volumes": ["rabbitmq-data:/var/lib/rabbitmq"],
                     "healthcheck": {"test": ["CMD", "rabbitmq-diagnostics", "-q", "ping"], "interval": "10s",
                                     "timeout": "5s", "retries": 20}},
        "minio": {"image": "minio/minio:RELEASE.2025-04-22T22-12-26Z", "command": ["server", "/data"],
                  "env_file": [".env"], "volumes": ["minio-data:/data"],
                  "healthcheck": {"test": ["CMD", "mc", "ready", "local"], "interval": "5s", "timeout": "3s",
                                  "retries": 20}},
        "redis": {"image": "redis:7", "healthcheck": {"test": ["CMD", "redis-cli", "ping"], "interval": "5s",
                                                       "timeout": "3s", "retries": 20}},
    }


def part_service(part: str, process: str) -> dict:
    service = {"build": {"context": "../..", "dockerfile": f"deploy/docker/{part}.Dockerfile"},
               "image": f"portal-{part}", "command": [process], "env_file": [".env"],
               "environment": {"PORTAL_PART": part}, "restart": "unless-stopped", "read_only": True,
               "tmpfs": ["/tmp"], "depends_on": {"postgres": HEALTHY, "rabbitmq": HEALTHY}}
    if part == "assets":
        service["depends_on"]["minio"] = HEALTHY
    if part in ("membership", "gateway"):
        service["depends_on"]["redis"] = HEALTHY
    if process == "web":  # gunicorn's workers add up their metrics in this folder
        service["environment"]["PROMETHEUS_MULTIPROC_DIR"] = "/tmp/metrics"
    else:
        service["environment"]["METRICS_PORT"] = str(METRICS_PORT)
    if process == "web":
        ready = f"http://127.0.0.1:{GATEWAY_ADMIN_PORT if part == 'gateway' else 8000}/readyz"
        service["healthcheck"] = {"test": ["CMD", "python", "-c",
                                           f"import urllib.request; urllib.request.urlopen('{ready}')"],
                                  "interval": "10s", "timeout": "3s", "retries": 10, "start_period": "20s"}
        if part == "membership":
            service["volumes"] = ["signing-keys:/keys"]
            service["read_only"] = True
    else:
        service["depends_on"][f"{part}-web"] = HEALTHY  # web runs the migrations first
    if part == "gateway" and process == "web":  # reached only through nginx (proxy_service)
        service["environment"].update({"GATEWAY_TRUSTED_PROXIES": "1", "GATEWAY_ADMIN_PORT": str(GATEWAY_ADMIN_PORT)})
        service["depends_on"].update({f"{p}-web": HEALTHY for p in PARTS if p != "gateway"})
    return service


def proxy_service() -> dict:
    """nginx in front of the gateway (docs/operations.md, "nginx in front"): the official image
    fills in deploy/nginx/gateway.conf's placeholders from NGINX_LISTEN and NGINX_UPSTREAM.
    Request bodies over 128 KiB wait on disk in the nginx-temp volume, not in memory."""
    return {"image": "nginx:1.27", "restart": "unless-stopped", "read_only": True,
            "ports": [f"{PUBLIC_PORT}:{PUBLIC_PORT}"],
            "environment": {"NGINX_LISTEN": str(PUBLIC_PORT), "NGINX_UPSTREAM": "gateway-web:8000",
                            "NGINX_ENVSUBST_FILTER": "^NGINX_(LISTEN|UPSTREAM)"},
            "volumes": ["../nginx/gateway.conf:/etc/nginx/templates/gateway.conf.template:ro",
                        "nginx-temp:/var/cache/nginx"],
            "tmpfs": ["/etc/nginx/conf.d", "/run", "/tmp"],
            "depends_on": {"gateway-web": HEALTHY}}


def prometheus_service() -> dict:
    """Prometheus with deploy/prometheus/ (its scrape list names every process of this file;
    tests/unit/deploy checks both agree), reachable on the host's loopback only."""
    return {"image": "prom/prometheus:v2.53.0", "restart": "unless-stopped", "read_only": True,
            "command": ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
                        "--storage.tsdb.retention.time=15d", "--web.enable-lifecycle"],
            "ports": [f"127.0.0.1:{PROMETHEUS_PORT}:{PROMETHEUS_PORT}"],
            "volumes": ["../prometheus:/etc/prometheus:ro", "prometheus-data:/prometheus"],
            "healthcheck": {"test": ["CMD", "promtool", "check", "healthy", f"--url=http://127.0.0.1:{PROMETHEUS_PORT}"],
                            "interval": "10s", "timeout": "3s", "retries": 10}}


def compose() -> dict:
    services = infrastructure()
    for part, processes in PARTS.items():
        for process in processes:
            services[f"{part}-{process}"] = part_service(part, process)
    services["nginx"] = proxy_service()
    services["prometheus"] = prometheus_service()
    return {"services": services,
            "volumes": {v: {} for v in ("postgres-data", "rabbitmq-data", "minio-data", "signing-keys", "nginx-temp",
                                        "prometheus-data")}}


def metrics_port(part: str, process: str) -> int:
    if process != "web":
        return METRICS_PORT
    return GATEWAY_ADMIN_PORT if part == "gateway" else 8000


def prometheus_config() -> dict:
    """One scrape job per process of every part. Each job asks Compose's DNS for every address
    of the service's name (type A), so a second container brought up beside the first during a
    rolling update is scraped too; ``part`` and ``process`` label every series."""
    jobs = []
    for part, processes in PARTS.items():
        for process in processes:
            jobs.append({"job_name": f"{part}-{process}",
                         "dns_sd_configs": [{"names": [f"{part}-{process}"], "type": "A",
                                             "port": metrics_port(part, process), "refresh_interval": "5s"}],
                         "relabel_configs": [{"target_label": "part", "replacement": part},
                                             {"target_label": "process", "replacement": process}]})
    return {"global": {"scrape_interval": "15s", "evaluation_interval": "15s"},
            "rule_files": ["/etc/prometheus/rules/*.yml"],
            "scrape_configs": [{"job_name": "prometheus", "static_configs": [
                {"targets": [f"127.0.0.1:{PROMETHEUS_PORT}"]}]}] + jobs}


def render_prometheus() -> str:
    return ("# Generated by `python -m deploy.compose.generate` from deploy/processes.py: do not edit.\n"
            "# Prometheus in Compose (docker-compose.yml's prometheus service); alert rules in rules/.\n"
            + yaml.safe_dump(prometheus_config(), sort_keys=False))


def render() -> str:
    return ("# Generated by `python -m deploy.compose.generate` from deploy/processes.py: do not edit.\n"
            "# cp .env.example .env, fill in the secrets, then: docker compose up --build\n"
            + yaml.safe_dump(compose(), sort_keys=False))


if __name__ == "__main__":
    (HERE / "docker-compose.yml").write_text(render())
    PROMETHEUS.mkdir(exist_ok=True)
    (PROMETHEUS / "prometheus.yml").write_text(render_prometheus())
