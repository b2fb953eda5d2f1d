# The two commands: `make run` (set up everything and serve on http://127.0.0.1:8000) and
# `make test` (lint, then the whole suite on SQLite and on PostgreSQL + Redis).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/metrology
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test test-sqlite test-postgres lint format deploy-check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## make run: environment, database, seed documents, demo data, demo account, server.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_policies
	$(BIN)/python manage.py demo_progress
	$(BIN)/python manage.py recompute_progress
	$(BIN)/python manage.py create_demo_accounts
	$(BIN)/python manage.py demo_submissions
	$(BIN)/python manage.py demo_assessments
	@echo "打开 Open http://$(HOST):$(PORT)/  (Ctrl-C 停止 to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: what CI runs.
test: install lint
	bash scripts/ensure-services.sh
	bash scripts/ensure-browser.sh
	bash scripts/ensure-pdf.sh
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory deploy-check
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	@echo "== pytest on SQLite =="
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/pytest -q

test-postgres: install
	@echo "== pytest on PostgreSQL, Celery worker through Redis =="
	DATABASE_URL=$(PG_TEST_URL) TEST_CELERY_BROKER_URL=$(REDIS_TEST_URL) $(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

deploy-check: install
	DEBUG=False SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	ALLOWED_HOSTS=metrology.example.gov.cn $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	$(BIN)/python benchmarks/recompute.py

clean:
	rm -rf $(VENV) staticfiles test-artifacts
