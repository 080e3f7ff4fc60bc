"""Prometheus metrics for every process: HTTP requests and latencies in web processes,
outbox backlog in relays, handled events, lag and dead letters in consumers.

Web processes serve ``/metrics``; relays and consumers serve it on ``METRICS_PORT``
when set. Under gunicorn with several workers, set ``PROMETHEUS_MULTIPROC_DIR`` so
the workers' figures are added up.
"""
from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram,
                               generate_latest, multiprocess, start_http_server)

REQUESTS = Counter("portal_http_requests_total", "HTTP requests answered",
                   ["service", "method", "route", "status"])
LATENCY = Histogram("portal_http_request_duration_seconds", "Time to answer an HTTP request",
                    ["service", "route"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
OUTBOX_PENDING = Gauge("portal_outbox_pending", "Events written but not yet published",
                       ["service"], multiprocess_mode="max")
PUBLISHED = Counter("portal_events_published_total", "Events the relay published", ["service"])
HANDLED = Counter("portal_events_handled_total", "Events a consumer handled",
                  ["consumer", "event_type", "outcome"])
QUEUE_DEPTH = Gauge("portal_queue_depth", "Messages waiting in a consumer's queue (lag)",
                    ["queue"], multiprocess_mode="max")
DEAD_LETTERS = Gauge("portal_dead_letters", "Messages in a consumer's dead-letter queue",
                     ["queue"], multiprocess_mode="max")


def registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
        return collected
    from prometheus_client import REGISTRY
    return REGISTRY


def install_metrics(app: Flask, service: str) -> None:
    """Count and time every request by its route (not its raw path: ids would explode the labels)."""

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        route = request.url_rule.rule if request.url_rule else "unmatched"
        started = g.get("metrics_started")
        if started is not None and route != "/metrics":
            observe_request(service, request.method, route, response.status_code, time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics():
        return Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)


def observe_request(service: str, method: str, route: str, status: int, seconds: float) -> None:
    LATENCY.labels(service, route).observe(seconds)
    REQUESTS.labels(service, method, route, str(status)).inc()


def serve_metrics_if_configured() -> None:
    """Relays and consumers: a small metrics server on METRICS_PORT."""
    port = os.environ.get("METRICS_PORT")
    if port:
        start_http_server(int(port), addr=os.environ.get("METRICS_ADDR", "0.0.0.0"), registry=registry())
