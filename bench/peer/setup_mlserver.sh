#!/usr/bin/env bash
# Creates the MLServer peer's own venv (it needs protobuf < 7, unlike ours) under var/.
# Usage: bench/peer/setup_mlserver.sh [VENV_DIR]   (default var/peer/mlserver)
set -euo pipefail
VENV="${1:-var/peer/mlserver}"
PYTHON="${PYTHON:-python3.11}"
if [ ! -x "$VENV/bin/mlserver" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  # uvloop 0.23 crashes MLServer workers with parallel_workers >= 1; pin the known-good one.
  "$VENV/bin/pip" install --quiet \
    "mlserver==1.7.1" "mlserver-lightgbm==1.7.1" "uvloop==0.21.0" "protobuf<7"
fi
"$VENV/bin/python" -c "import mlserver, mlserver_lightgbm; print('mlserver', mlserver.__version__)"
