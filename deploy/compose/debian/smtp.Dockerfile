# An SMTP server that keeps what it receives (aiosmtpd, pinned as in requirements-dev.txt):
# each message becomes one file of the Maildir /var/mail/portal, where an operator or the
# deployment check (tests/deploy) reads it. Port 1025; SMTP_URL=smtp://smtp:1025.
ARG PYTHON_IMAGE=localhost/portal-python:3.11-bookworm
FROM ${PYTHON_IMAGE}

USER root
RUN pip install --no-cache-dir 'aiosmtpd==1.4.6' \
    && install -d -o 65534 -g 65534 /var/mail/portal
USER 65534:65534
EXPOSE 1025
HEALTHCHECK --interval=5s --timeout=3s --retries=20 \
  CMD ["python", "-c", "import smtplib; smtplib.SMTP('127.0.0.1', 1025, timeout=2).quit()"]
CMD ["python", "-m", "aiosmtpd", "-n", "-l", "0.0.0.0:1025", "-c", "aiosmtpd.handlers.Mailbox", "/var/mail/portal"]
