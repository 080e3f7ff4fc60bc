# The shared base of every image: Python, the common kit's requirements, a non-root user.
# Build from the repository root:  docker build -f deploy/docker/base.Dockerfile -t portal-base .
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app
RUN groupadd --gid 10001 portal && useradd --uid 10001 --gid portal --no-create-home --shell /usr/sbin/nologin portal
WORKDIR /app
COPY services/common/requirements.txt services/common/requirements.txt
RUN pip install -r services/common/requirements.txt
COPY services/__init__.py services/__init__.py
COPY services/common services/common
COPY deploy/__init__.py deploy/boot.sh deploy/wait_for.py deploy/gunicorn.conf.py deploy/processes.py deploy/
RUN chmod 0555 deploy/boot.sh
USER 10001:10001
ENTRYPOINT ["deploy/boot.sh"]
CMD ["web"]
