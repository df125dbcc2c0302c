# Portico: `make run` serves the platform, a worker and the demo office; `make test` runs the suite;
# `make dev` is `make run` with the reloading development server.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
PORT ?= 8000
HOST ?= 127.0.0.1
export PORTICO_BASE_DOMAIN ?= localhost

.PHONY: install install-system run dev test lint format bench clean

$(VENV)/bin/uv:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(VENV)/bin/uv ## Create .venv with every dependency from the lock file (idempotent)
	@UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync --frozen --inexact --quiet --python $(PY)
	@if [ -d locale ]; then $(PY) manage.py compile_translations; fi
	@if [ -f package-lock.json ] && { [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then \
		command -v npm >/dev/null || { echo "npm is needed for the browser tests' tools: make install-system"; exit 1; }; \
		npm ci --no-audit --no-fund --loglevel=error; fi

install-system: ## Debian packages the tests use: Chromium (browser tests) and Redis
	@bash deploy/dev/system-packages.sh

run: install ## Migrate, seed the demo office, serve as production does (gunicorn, DEBUG off) + worker until Ctrl-C
	@$(PY) deploy/dev/run.py --host $(HOST) --port $(PORT)

dev: install ## The same with the auto-reloading development server and DEBUG on
	@$(PY) deploy/dev/run.py --dev --host $(HOST) --port $(PORT)

test: install-system install ## The whole suite against real PostgreSQL, Redis and Chromium
	@eval "$$($(PY) deploy/dev/services.py env)" && $(VENV)/bin/pytest $(if $(CI),--create-db) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install ## Run every benchmark; each prints one JSON line of figures last
	@bash deploy/dev/system-packages.sh bench
	@eval "$$($(PY) deploy/dev/services.py env)" && for b in bench/*.py; do echo "== $$b"; $(PY) $$b; done

clean:
	rm -rf .pytest_cache .ruff_cache
