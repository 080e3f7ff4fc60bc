# The assets service: brand asset uploads, their checks and their storage (S3).
# One image runs every process of the part: deploy/boot.sh web, consumer, relay or migrate
# (the default command is web; pass another process as the command, e.g. `consumer`).
# Build from the repository root, after the base image (deploy/docker/base.Dockerfile):
#   docker build -f deploy/docker/assets.Dockerfile -t portal-assets .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}

ENV PORTAL_PART=assets

USER root
COPY services/assets/requirements.txt services/assets/requirements.txt
# botocore describes some 400 AWS services (28 MB); assets speaks S3 only (sts and sso: credentials)
RUN pip install --no-compile -r services/assets/requirements.txt \
    && python -c "import botocore, pathlib, shutil; data = pathlib.Path(botocore.__file__).parent / 'data'; \
[shutil.rmtree(d) for d in data.iterdir() if d.is_dir() and d.name not in ('s3', 'sts', 'sso', 'sso-oidc')]"
COPY services/assets services/assets
USER 10001:10001

EXPOSE 8000
ENTRYPOINT ["deploy/boot.sh"]
CMD ["web"]
