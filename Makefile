# Conex account gateway. On a fresh machine with Python 3.11+: `make run`, `make test`.
# Everything runs from ./.venv, made here with `python3 -m venv` (PYTHON=… to choose another).

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help run test check-format lint typecheck pytest fmt schema bench deps test-deps clean

help:
	@echo "make run      install, migrate, load demo data once, serve http://$(HOST):$(PORT)/graphql"
	@echo "make test     ruff format --check, ruff check, mypy, pytest"
	@echo "make fmt      format and fix lint in place"
	@echo "make schema   write schema.graphql from the code"
	@echo "make bench    run the benchmarks (bench/run.py)"

# --- the virtualenv -------------------------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: $(PYTHON) is older than Python 3.11; run: make $(MAKECMDGOALS) PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamps re-install when pyproject.toml changes (new dependencies, new entry points).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

deps: $(VENV)/.installed
test-deps: $(VENV)/.installed-test

# --- run ------------------------------------------------------------------------------------

run: $(VENV)/.installed
	$(BIN)/conex-gateway migrate
	$(BIN)/conex-gateway demo-data --if-empty
	$(BIN)/conex-gateway serve --host $(HOST) --port $(PORT)

# --- checks ---------------------------------------------------------------------------------

test: check-format lint typecheck pytest

check-format: $(VENV)/.installed-test
	$(BIN)/ruff format --check .

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy gateway db

pytest: $(VENV)/.installed-test
	$(BIN)/pytest

fmt: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# --- artefacts ------------------------------------------------------------------------------

schema: $(VENV)/.installed
	$(BIN)/conex-gateway export-schema --output schema.graphql

bench: $(VENV)/.installed-test
	@if [ -f bench/run.py ]; then $(BIN)/python bench/run.py; \
	else echo "bench/run.py does not exist yet: no benchmarks to run"; fi

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis build *.egg-info
