# Every target installs what it needs into .venv from a fresh clone and is quick when nothing changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VAR := var

.PHONY: run test lint bench protos venv clean fmt system-deps

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Prometheus and promtool (Debian's package) for the rule tests and the end-to-end test.
system-deps:
	@command -v promtool >/dev/null 2>&1 || { \
	  echo "installing prometheus (promtool) from the OS packages"; \
	  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; \
	  systemctl stop prometheus >/dev/null 2>&1 || true; }

protos: $(STAMP)
	PYTHON=$(BIN)/python scripts/gen_protos.sh

run: $(STAMP)
	$(BIN)/tradeguard demo --workdir $(VAR)/demo

test: $(STAMP) system-deps
	$(BIN)/pytest -q tests

lint: $(STAMP)
	$(BIN)/ruff check services tests bench scripts
	$(BIN)/ruff format --check services tests bench scripts
	$(BIN)/mypy
	scripts/check_protos_fresh.sh
	cd protos/.. && $(BIN)/buf lint
	@if [ -f scripts/validate_k8s.py ]; then $(BIN)/python scripts/validate_k8s.py; fi

bench: $(STAMP)
	@mkdir -p bench/results
	@for b in bench/tradedata.py bench/risk.py bench/aml.py bench/finance.py bench/dask_features.py; do \
	  if [ -f $$b ]; then echo "== $$b"; $(BIN)/python $$b || exit 1; fi; done

fmt: $(STAMP)
	$(BIN)/ruff format services tests bench scripts
	$(BIN)/ruff check --fix services tests bench scripts

clean:
	rm -rf $(VAR) .pytest_cache .mypy_cache .ruff_cache
