# An S3 endpoint for machines that cannot pull minio: moto's server (the same moto the tests
# use, pinned as in requirements-dev.txt), on port 9000 as minio. Objects live in memory.
ARG PYTHON_IMAGE=localhost/portal-python:3.11-bookworm
FROM ${PYTHON_IMAGE}

USER root
RUN pip install --no-cache-dir 'moto[server]==5.2.5'
USER 65534:65534
EXPOSE 9000
HEALTHCHECK --interval=5s --timeout=3s --retries=20 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9000/moto-api/')"]
CMD ["moto_server", "-H", "0.0.0.0", "-p", "9000"]
