SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help install demo test lint fmt bench services lock

# Interpreter to use (no virtualenv required): `make test PYTHON=python3.11`.
PYTHON ?= python3
# Extra arguments for pytest: `make test PYTEST_ARGS='-k redis -x'`.
PYTEST_ARGS ?=
# pytest-xdist workers for `make test` (`auto`: one per CPU; 0: one process, no xdist).
# At most 16: each worker flushes a Redis database of its own, and Redis has 16.
PYTEST_WORKERS ?= auto

help: ## show this help
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

install: ## install inboxgap in editable mode with the dev tools
	$(PYTHON) -m pip install -q -e '.[dev]'

demo: ## install with the demo extra and run the self-contained demo (embedded SQS, SQLite)
	$(PYTHON) -m pip install -q -e '.[demo]'
	inboxgap demo

# The suite starts a few hundred interpreters (CLI commands, workers, the demo): with
# bytecode off (PYTHONDONTWRITEBYTECODE, as CI sets it) each one compiled the project's
# modules again, ~0.3 s apiece. Tests cache bytecode under build/ instead (not in the tree).
TEST_PYCACHE ?= $(CURDIR)/build/pycache

test: install services ## install, start PostgreSQL/Redis if needed, run the full suite on every CPU, list the 15 slowest tests (args: PYTEST_ARGS=..., PYTEST_WORKERS=auto|N|0)
	@set +e; env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX="$(TEST_PYCACHE)" \
		$(PYTHON) -m pytest -n $(PYTEST_WORKERS) --maxprocesses 16 --durations=15 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then \
		echo "ERROR: pytest collected no tests (exit code 5): check testpaths/PYTEST_ARGS." >&2; \
	fi; \
	exit $$rc

lint: ## ruff check, ruff format --check, mypy
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy

fmt: ## format and auto-fix with ruff
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

bench: ## run every benchmark script in bench/ (prints figures)
	@shopt -s nullglob; found=0; \
	for script in bench/*.py; do \
		case "$$(basename "$$script")" in _*) continue ;; esac; \
		found=1; echo "== $$script"; $(PYTHON) "$$script" || exit $$?; \
	done; \
	if [ $$found -eq 0 ]; then echo "no benchmark scripts in bench/"; fi

lock: ## regenerate requirements.lock (the image's pinned runtime dependencies; needs uv)
	PYTHON=$(PYTHON) bash .ci/lock.sh

services: ## start local PostgreSQL and Redis if they are not running
	bash .ci/services.sh
