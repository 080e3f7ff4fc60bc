"""gunicorn settings for every web process, from the environment.

GUNICORN_WORKERS, GUNICORN_WORKER_CLASS (sync, gthread, gevent), GUNICORN_THREADS,
GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT, PORT (or GUNICORN_BIND).

The gateway (``gateway.wsgi:app``) also listens on GATEWAY_ADMIN_PORT when it is set (on
ADMIN_HOST, default HOST): its ``/metrics`` and ``/readyz`` answer there only, told apart by
the socket a request came in on (gateway/frontdoor/security.py ``FrontDoor``). No other part binds it,
even when the variable is in its environment.
"""
import os
import sys

bind = [os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]
if os.environ.get("GATEWAY_ADMIN_PORT") and any(arg.startswith("gateway.wsgi") for arg in sys.argv):
    bind.append(f"{os.environ.get('ADMIN_HOST') or os.environ.get('HOST', '0.0.0.0')}:{os.environ['GATEWAY_ADMIN_PORT']}")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = ('{"event":"access","remote":"%(h)s","method":"%(m)s","path":"%(U)s",'
                     '"status":%(s)s,"bytes":"%(B)s","ms":%(M)s,"request_id":"%({x-request-id}o)s"}')
errorlog = "-"
logger_class = "deploy.accesslog.RedactingLogger"  # invitation tokens never reach the logs
# gunicorn 27's control socket defaults to one path per user; several servers on a host would share it
control_socket_disable = True


def child_exit(server, worker):
    """With several workers, metrics are summed across them: forget a worker that exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)


def worker_exit(server, worker):
    """The gateway's analytics counts of this worker are written before it goes."""
    analytics = sys.modules.get("gateway.public.analytics")
    if analytics is not None:
        analytics.flush()
