# Every target installs what it needs into .venv from a fresh clone and is quick when nothing changed.
# Python packages come from the pinned requirements/ files (`make lock` rewrites them from
# pyproject.toml): `make run` installs the runtime set only, test/lint/protos/bench the dev set.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
RUN_LOCK := requirements/run.txt
DEV_LOCK := requirements/dev.txt
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed
VAR := var
AXE_VERSION := 4.10.3
AXE := $(VENV)/node/node_modules/axe-core/axe.min.js
# Extra flags for each benchmark script, e.g. `make bench ARGS=--quick`.
ARGS ?=
# Extra flags for the resolver, e.g. `make lock LOCK_ARGS=--upgrade` to move every pin.
LOCK_ARGS ?=
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--custom-compile-command "make lock" --quiet $(LOCK_ARGS)
# bench/risk_table.py loads the model and table bench/risk.py builds, so it runs after it.
BENCHES := bench/tradedata.py bench/risk.py bench/risk_table.py bench/aml.py bench/finance.py \
	bench/dask_features.py bench/console.py bench/hardening.py bench/architecture.py

.PHONY: fuzz run test lint bench protos venv lock clean fmt system-deps bytecode

venv: $(DEV_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): $(RUN_LOCK) pyproject.toml | $(BIN)/python
	@echo "==> installing the runtime dependencies pinned in $(RUN_LOCK) into $(VENV)"
	$(PIP) install --progress-bar on -r $(RUN_LOCK)
	$(PIP) install --quiet --no-deps -e .
	@touch $@

$(DEV_STAMP): $(RUN_STAMP) $(DEV_LOCK)
	@echo "==> installing the test and lint tools pinned in $(DEV_LOCK) into $(VENV)"
	$(PIP) install --progress-bar on -r $(DEV_LOCK)
	@touch $@

# Rewrites requirements/ from pyproject.toml, keeping every pin that still fits (LOCK_ARGS=--upgrade
# moves them all); `make lint` fails while they disagree.
lock: | $(BIN)/python
	@test -x $(BIN)/uv || $(PIP) install --quiet uv
	$(UV_COMPILE) -o $(RUN_LOCK)
	$(UV_COMPILE) --extra dev -c $(RUN_LOCK) -o $(DEV_LOCK)

# OS packages the tests use, installed with apt-get when missing (the README lists them):
# Prometheus and promtool for the rule tests and the end-to-end test; Chromium and its WebDriver
# for the console's browser tests; npm for axe-core.
system-deps:
	@command -v promtool >/dev/null 2>&1 || { \
	  echo "==> installing prometheus (promtool) from the OS packages (apt-get)"; \
	  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; \
	  systemctl stop prometheus >/dev/null 2>&1 || true; }
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || { \
	  echo "==> installing chromium and chromium-driver from the OS packages (apt-get)"; \
	  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-driver >/dev/null; }
	@# Debian's npm conflicts with a Node.js installed from elsewhere, so it is asked for only when absent.
	@command -v npm >/dev/null 2>&1 || { \
	  echo "==> installing npm from the OS packages (apt-get)"; \
	  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }

# axe-core (npm), the accessibility checker the browser tests inject from this local file.
$(AXE): | system-deps
	@echo "==> installing axe-core $(AXE_VERSION) from npm into $(VENV)/node"
	npm install --no-audit --no-fund --silent --prefix $(VENV)/node axe-core@$(AXE_VERSION)

protos: $(DEV_STAMP)
	PYTHON=$(BIN)/python scripts/gen_protos.sh

run: $(RUN_STAMP) bytecode
	$(BIN)/tradeguard demo

test: $(DEV_STAMP) system-deps $(AXE) bytecode
	$(BIN)/pytest -q tests

# The sources byte-compiled once (only what changed since): where PYTHONDONTWRITEBYTECODE is
# set, every process the demo and the tests start (services, CLI steps) would otherwise compile
# them again on import, about a second and a half for the three services.
bytecode: | $(BIN)/python
	@$(BIN)/python -m compileall -q services

# The fuzz suite of `make test` (300 cases per RPC) with many more cases per RPC.
FUZZ_EXAMPLES ?= 3000
fuzz: $(DEV_STAMP)
	TRADEGUARD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/fuzz

lint: $(DEV_STAMP)
	$(BIN)/python scripts/check_lock.py
	$(BIN)/ruff check services tests bench scripts
	$(BIN)/ruff format --check services tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	scripts/check_protos_fresh.sh
	cd protos/.. && $(BIN)/buf lint
	@if [ -f scripts/validate_k8s.py ]; then $(BIN)/python scripts/validate_k8s.py; fi

bench: $(DEV_STAMP)
	@mkdir -p bench/results
	@for b in $(BENCHES); do \
	  echo "== $$b $(ARGS)"; started=$$(date +%s); \
	  $(BIN)/python $$b $(ARGS) || exit 1; \
	  echo "== $$b took $$(( $$(date +%s) - started )) s"; done

fmt: $(DEV_STAMP)
	$(BIN)/ruff format services tests bench scripts
	$(BIN)/ruff check --fix services tests bench scripts

clean:
	rm -rf $(VAR) .pytest_cache .mypy_cache .ruff_cache
