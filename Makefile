# Orchestrator: `make run` for the whole stack, `make test` for what CI runs (lint first).
# Without DATABASE_URL / REDIS_URL, `orchestrator with-infra` and `orchestrator run` start
# embedded PostgreSQL and Redis (cli/src/orchestrator/cli/infra.py).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

# uv from PATH, else the one pip installed for python3, else where `pip install --user` puts
# it (installed by the rule below).
UV ?= $(shell command -v uv 2>/dev/null \
	|| python3 -c 'import uv; print(uv.find_uv_bin())' 2>/dev/null \
	|| echo $(HOME)/.local/bin/uv)
# Use uv.lock as it is; every `uv run`, including those nested in with-infra, skips re-locking.
ifneq ($(wildcard uv.lock),)
export UV_FROZEN := 1
SYNC_FLAGS := --frozen
endif
RUN := $(UV) run
WITH_INFRA := $(RUN) orchestrator with-infra --
PYTEST_ARGS ?=
# Each test session has a database, a Redis namespace and services of its own, so the files
# run in parallel sessions (ADR 0082); TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2
# clients/python/src's generated packages are excluded in pyproject.toml ([tool.mypy] exclude).
TYPED_DIRS := $(wildcard libs/core/src services/*/src cli/src tests bench) \
	clients/generate.py clients/python/src clients/python/examples clients/python/tests

.PHONY: help sync run lint fmt test bench deploy-check vendor clients

help:  ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):  # a Debian-managed python3 needs the second form
	python3 -m pip install --user --quiet uv \
	  || python3 -m pip install --user --quiet --break-system-packages uv

# Bytecode compiled once here: each service process (and tests start many) would
# otherwise compile every module it imports, where PYTHONDONTWRITEBYTECODE is set.
sync: | $(UV)  ## Install the workspace into .venv from uv.lock
	$(UV) sync $(SYNC_FLAGS) --compile-bytecode --quiet
	$(UV) run python -m compileall -q $(wildcard libs/core/src services/*/src cli/src) >/dev/null

run: sync  ## Run the whole stack (embedded PostgreSQL and Redis unless their URLs are set)
	$(RUN) orchestrator run

lint: sync  ## Ruff, formatting, mypy --strict, import contracts (.importlinter), and alembic check
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy $(TYPED_DIRS)
	$(RUN) lint-imports
	$(WITH_INFRA) $(RUN) orchestrator db-check

fmt: sync  ## Fix what ruff can fix and format the code
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

test: lint  ## Lint, then unit, integration and contract tests against real PostgreSQL and Redis
	$(WITH_INFRA) $(RUN) pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

bench: sync  ## Benchmarks (installs Debian's wrk when it can, for truer HTTP figures)
	command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || true
	$(WITH_INFRA) $(RUN) python -m bench

deploy-check: | $(UV)  ## Static checks of Dockerfile, chart, helmfile, Compose file, Terraform, alerts and workflows
	UV=$(UV) deploy/check.sh

vendor: sync  ## Fetch the console's browser libraries again from the npm registry, checked against their pins
	$(RUN) python -m orchestrator.console.vendor

clients: sync  ## Regenerate clients/ (Python and TypeScript) from the OpenAPI snapshots in tests/contract/openapi
	$(RUN) python clients/generate.py
