# Pilot'actions — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install demo test lint bench lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies change. Every package, direct or indirect, comes from the lock
# file at the version and with the hashes it names (see docs/decisions.md to update it).
$(VENV)/.installed: pyproject.toml requirements/lock.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Recompute the lock file after a change of pyproject.toml (a few minutes: it asks the registry for hashes).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check pip-tools
	$(BIN)/pip-compile --quiet --no-emit-find-links --allow-unsafe --extra=dev --generate-hashes \
		--strip-extras --output-file=requirements/lock.txt pyproject.toml

install: $(VENV)/.installed

# Migrates the embedded SQLite database, loads the demo data (idempotent), then serves the site
# with a background-task worker beside it. Ctrl-C stops both.
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py db_worker --no-startup-delay -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Pilot'actions : http://127.0.0.1:$(PORT)/"; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite: PostgreSQL when DATABASE_URL points to it, SQLite otherwise.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
