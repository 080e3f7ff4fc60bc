# The shared base of every part's image: Python 3.11, the common kit and its requirements,
# the boot script, a non-root user. Build it first, from the repository root:
#   docker build -f deploy/docker/base.Dockerfile -t portal-base .
# then each part (deploy/docker/<part>.Dockerfile) FROM it. Where python:3.11-slim cannot be
# pulled, deploy/docker/python-image.sh makes an equal one from Debian's packages:
#   --build-arg PYTHON_IMAGE=localhost/portal-python:3.11-bookworm   (what make deploy-check does)
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

# No bytecode in the image (a third of the installed packages' size): each container compiles
# what it imports once, into /tmp (tmpfs in Compose, an emptyDir in Kubernetes), so the root
# filesystem stays read-only and the image stays small.
ENV PYTHONPYCACHEPREFIX=/tmp/pycache \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    PORTAL_DATA_DIR=/var/lib/portal

# uid/gid 10001: the Kubernetes manifests run the pods as this user (runAsUser: 10001)
RUN groupadd --gid 10001 portal \
    && useradd --uid 10001 --gid portal --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin portal \
    && install -d -o portal -g portal -m 0750 /var/lib/portal

WORKDIR /app

# requirements first: the layer is rebuilt only when they change
COPY services/common/requirements.txt services/common/requirements.txt
RUN pip install --no-compile -r services/common/requirements.txt

# the code stays owned by root: the processes cannot change it
COPY services/__init__.py services/__init__.py
COPY services/common services/common
COPY deploy/__init__.py deploy/accesslog.py deploy/boot.sh deploy/wait_for.py deploy/gunicorn.conf.py deploy/processes.py deploy/
COPY deploy/docker/healthcheck.py deploy/healthcheck.py
RUN chmod 0755 deploy/boot.sh

# web: GET /healthz on PORT; other processes: GET /metrics on METRICS_PORT (deploy/docker/healthcheck.py)
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["python", "deploy/healthcheck.py"]

USER 10001:10001
# deploy/boot.sh <process>: web, consumer, relay, mailer, sweeper or migrate
ENTRYPOINT ["deploy/boot.sh"]
CMD ["web"]
