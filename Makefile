# Tandem — the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two locked sets compiled from pyproject.toml: what production runs, and that plus the tools.
PRODUCTION_SET := requirements/production.txt
DEVELOPMENT_SET := requirements/development.txt
export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/tandem
# The base Redis database of the tests; pytest-xdist worker gwN uses base + N (tests/settings.py).
export REDIS_URL_TEST ?= redis://127.0.0.1:6379/12
# `make test` runs the suite on this many pytest-xdist workers (0: in this process, one test at a time).
TEST_WORKERS ?= 2

.PHONY: run test install lint typecheck check messages lock bench proof clean

$(STAMP): $(DEVELOPMENT_SET)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r $(DEVELOPMENT_SET)
	touch $(STAMP)

## The development set, and the message catalogues compiled from the .po files (no .mo is committed).
install: $(STAMP)
	$(BIN)/python scripts/messages.py compile

## Run the application on the embedded default (SQLite, Celery over SQLite), with demo data.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py run_stack

## Run the whole test suite against PostgreSQL and Redis (DATABASE_URL / REDIS_URL override), in parallel.
test: install
	@DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} REDIS_URL=$${REDIS_URL:-$(REDIS_URL_TEST)} $(BIN)/python scripts/preflight.py
	DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} REDIS_URL=$${REDIS_URL:-$(REDIS_URL_TEST)} \
	  $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy accounts pairing mentoring supervision volunteering reports tandem bench

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	TANDEM_ENV=production SECRET_KEY=ci-only-$$(head -c 48 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST) ALLOWED_HOSTS=tandem.example.org \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

## Extract and compile the message catalogues of every app.
messages: install
	$(BIN)/python scripts/messages.py

## Compile both sets from pyproject.toml, keeping every pin that still fits (LOCK_ARGS=--upgrade to lift them).
## The development set is constrained by the production set, so both run the same versions.
lock: $(STAMP)
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile --quiet --universal $(LOCK_ARGS) \
	  pyproject.toml -o $(PRODUCTION_SET)
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile --quiet --universal $(LOCK_ARGS) \
	  pyproject.toml --extra dev -c $(PRODUCTION_SET) -o $(DEVELOPMENT_SET)

## The stateful proof of confidentiality over time, long profile (500 histories of 50 steps; prints its figures).
proof: install
	TANDEM_STATEFUL=long DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} REDIS_URL=$${REDIS_URL:-$(REDIS_URL_TEST)} \
	  $(BIN)/pytest -p no:xdist -q tests/trust/test_stateful.py $(PYTEST_ARGS)

bench: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tandem_bench} DJANGO_SETTINGS_MODULE=bench.settings $(BIN)/python manage.py bench $(BENCH_ARGS)

clean:
	rm -rf var staticfiles
