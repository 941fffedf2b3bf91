# Pilot'actions — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install demo test lint bench lock load-test prod-check

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

# Migrates the embedded SQLite database, loads the demo data (idempotent), publishes its open data, then serves the site
# with a background-task worker beside it. Ctrl-C stops both.
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py publish_open_data --year 2024
	$(BIN)/python manage.py run_worker --no-startup-delay -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Pilot'actions : http://127.0.0.1:$(PORT)/"; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite: PostgreSQL when DATABASE_URL points to it, SQLite otherwise. One command, two pytest runs:
# 1. the tests that roll back, in random order (pytest-randomly; the seed is printed at the end: `make test SEED=N`
#    replays that order);
# 2. the tests that commit and so flush the database (live server, browser, transactional: marked flushes_db by
#    tests/conftest.py), in file order.
# The coverage of `pilotactions` adds up both runs and is printed at the end (COVERAGE= turns it off).
# TEST_MARK selects further in both (CI: TEST_MARK="not browser"); a run that selects nothing (exit 5) is no failure.
TEST_MARK ?=
SEED ?=
COVERAGE ?= --cov=pilotactions
test: install
	@mkdir -p var
	$(BIN)/python -m pytest -m "not flushes_db$(if $(TEST_MARK), and ($(TEST_MARK)))" $(if $(SEED),-p randomly --randomly-seed=$(SEED)) \
		$(COVERAGE) $(if $(COVERAGE),--cov-report=) $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest -p no:randomly -m "flushes_db$(if $(TEST_MARK), and ($(TEST_MARK)))" \
		$(COVERAGE) $(if $(COVERAGE),--cov-append --cov-report=term:skip-covered) $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint pilotactions/templates --lint
	$(BIN)/lint-imports --no-logo

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The campaign-deadline load test (bench/load/README.md): `make load-test LOAD_ARGS=--build` once (database
# `loadtest`: demo + 100,000 actions), then `make load-test` (500 users, 5 min; USERS=, RATE=, DURATION= change it).
load-test: install
	bench/load/run.sh $(LOAD_ARGS)

# The production path from this clone (docs/deployment.md): a throwaway PostgreSQL database on 127.0.0.1:5432,
# migrate, collectstatic, gunicorn + the background worker with the production settings, /readyz and the
# static files checked, everything stopped and dropped. CI runs it (.ci/run).
prod-check: install
	scripts/prod_check.sh
