"""gunicorn settings for every web process, from the environment.

GUNICORN_WORKERS, GUNICORN_WORKER_CLASS (sync, gthread, gevent), GUNICORN_THREADS,
GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT, PORT (or GUNICORN_BIND).
"""
import os

bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
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
