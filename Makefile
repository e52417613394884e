# Conex account gateway. On a fresh machine with Python 3.11+: `make run`, `make test`.
# Everything runs from ./.venv, made here with `python3 -m venv` (PYTHON=… to choose another).

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# Installs come from the locks (every package pinned), then the project itself with --no-deps.
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
LOCK_VENV := .lock-venv
# pytest-xdist workers for `make test`: `auto` is one per core; PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help run test check-format lint typecheck imports pytest fmt schema bench bench-live deps test-deps lock \
	contract-copy clean

help:
	@echo "make run      install, migrate, load demo data once, serve http://$(HOST):$(PORT)/graphql"
	@echo "make test     ruff format --check, ruff check, mypy, lint-imports, pytest"
	@echo "make fmt      format and fix lint in place"
	@echo "make schema   write schema.graphql from the code"
	@echo "make bench    run the benchmarks (bench/run.py)"
	@echo "make bench-live  1000 subscribers on one worker (bench/subscriptions.py)"
	@echo "make lock     re-resolve pyproject.toml into $(LOCK) and $(TEST_LOCK)"
	@echo "make contract-copy  copy ../shared/contract's base documents into tests/contract/"

# --- the virtualenv -------------------------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: $(PYTHON) is older than Python 3.11; run: make $(MAKECMDGOALS) PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamps re-install when pyproject.toml or a lock changes (new pins, new entry points).
$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(TEST_LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

deps: $(VENV)/.installed
test-deps: $(VENV)/.installed-test

# --- run ------------------------------------------------------------------------------------

run: $(VENV)/.installed
	$(BIN)/conex-gateway migrate
	$(BIN)/conex-gateway demo-data --if-empty
	$(BIN)/conex-gateway serve --host $(HOST) --port $(PORT)

# --- checks ---------------------------------------------------------------------------------

# mypy (one process, one core) runs beside pytest rather than before it: on 2 cores it fills
# the core pytest's workers leave idle while they wait on the subprocesses and servers they
# start, and the suite no longer waits for a cold mypy (~60 s of CPU on a fresh clone). Its
# report is printed after pytest's; either failing fails `make test`.
test: check-format lint imports $(VENV)/.installed-test
	@status=0; \
	echo "$(BIN)/mypy gateway db tests > $(VENV)/mypy.log (beside pytest)"; \
	$(BIN)/mypy gateway db tests > $(VENV)/mypy.log 2>&1 & mypy=$$!; \
	$(MAKE) --no-print-directory pytest || status=1; \
	wait $$mypy || status=1; \
	echo "$(BIN)/mypy gateway db tests:"; cat $(VENV)/mypy.log; \
	exit $$status

check-format: $(VENV)/.installed-test
	$(BIN)/ruff format --check .

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy gateway db tests

# The layer contracts of .importlinter (import-linter).
imports: $(VENV)/.installed-test
	BIN=$(BIN) scripts/check-imports.sh

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (as on the shared dev
# machines): without it every `conex-gateway` subprocess of the suite compiles gateway/ and
# db/ again (~0.6 s of CPU each, ~40 of them) and every pytest process rewrites the asserts
# of all test modules again (collection ~21 s of CPU instead of ~10 s once cached).
# __pycache__/ is ignored by git.
pytest: $(VENV)/.installed-test
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS))

fmt: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# --- artefacts ------------------------------------------------------------------------------

schema: $(VENV)/.installed
	$(BIN)/conex-gateway export-schema --output schema.graphql

bench-live: $(VENV)/.installed-test
	$(BIN)/python bench/subscriptions.py $(BENCH_LIVE_OPTIONS)

bench: $(VENV)/.installed-test
	@if [ -f bench/run.py ]; then $(BIN)/python bench/run.py; \
	else echo "bench/run.py does not exist yet: no benchmarks to run"; fi

# --- the locks -------------------------------------------------------------------------------

# Resolves pyproject.toml afresh in a throw-away venv (newest releases its ranges admit):
# the test lock from `.[test]`, then the runtime lock from `.` constrained to the test lock,
# so that both pin the same versions. Review the diff, run `make test`, commit both.
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet '.[test]'
	{ echo "# make lock: pyproject.toml with its test extra, resolved with $$($(LOCK_VENV)/bin/python -V) on $$(uname -sm). Do not edit."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude conex-gateway; } > $(TEST_LOCK)
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet -c $(TEST_LOCK) .
	{ echo "# make lock: pyproject.toml, resolved with $$($(LOCK_VENV)/bin/python -V) on $$(uname -sm). Do not edit."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude conex-gateway; } > $(LOCK)
	rm -rf $(LOCK_VENV) build
	@echo "wrote $(LOCK) and $(TEST_LOCK): review the diff, run make test, commit both"

# tests/contract/ is a copy of ../shared/contract's base documents (tests/contract/README.md).
contract-copy:
	cp ../shared/contract/web.graphql ../shared/contract/mobile.graphql \
		../shared/contract/partner.graphql ../shared/contract/dashboard.graphql \
		../shared/contract/inputs.graphql tests/contract/
	mkdir -p tests/contract/selfservice
	cp ../shared/contract/selfservice/*.graphql tests/contract/selfservice/
	chmod u+w tests/contract/*.graphql tests/contract/selfservice/*.graphql

clean:
	rm -rf $(VENV) $(LOCK_VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis build *.egg-info
