# aTES: `make run` tries it, `make test` proves it.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint services browser prometheus schemas bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The embedded runtime migrates its SQLite file itself; PostgreSQL is migrated first.
run: install
	@if [ -n "$$DATABASE_URL" ]; then $(VENV)/bin/ates migrate; fi
	$(PY) app.py

services:
	.ci/services

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The playground's end-to-end test drives Debian's Chromium (Playwright's own browser download is not used).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -q && apt-get install -y -q chromium chromium-driver fonts-noto-color-emoji; \
		else \
			echo "aTES: the browser tests need Debian's chromium and chromium-driver (apt-get install as root)"; exit 1; \
		fi; \
	fi

# The metrics test scrapes the services runtime with Debian's Prometheus; promtool checks the alert rules.
prometheus:
	@if [ ! -x /usr/bin/prometheus ] || [ ! -x /usr/bin/promtool ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get install -y -q --no-install-recommends prometheus \
				|| (apt-get update -q && apt-get install -y -q --no-install-recommends prometheus); \
		else \
			echo "aTES: the metrics test needs Debian's prometheus (apt-get install as root)"; exit 1; \
		fi; \
	fi

test: install services browser prometheus lint
	$(VENV)/bin/pytest

# BENCH_SCALE multiplies every benchmark's size (e.g. make bench BENCH_SCALE=0.02 for a quick check).
BENCH_SCALE ?= 1
bench: install services
	$(PY) -m bench.run --scale $(BENCH_SCALE)

schemas: install
	$(PY) -m jobs.schemas

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache tests/artifacts
