#!/usr/bin/env bash
# Fails when services/_proto differs from what `make protos` would generate now.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
PYTHON="${PYTHON:-.venv/bin/python}" scripts/gen_protos.sh "$tmp" >/dev/null 2>&1
if ! diff -r -x __pycache__ "$tmp" services/_proto >/dev/null; then
  echo "services/_proto is stale: run 'make protos' and commit the result" >&2
  diff -r -x __pycache__ "$tmp" services/_proto | head -20 >&2
  exit 1
fi
echo "proto stubs are fresh"
