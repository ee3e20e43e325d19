#!/usr/bin/env bash
# Generates Python stubs (+ .pyi type stubs) for protos/ into services/_proto/, importable as
# services._proto.tradeguard.<service>.v1.<service>_pb2.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-services/_proto}"
py="${PYTHON:-.venv/bin/python}"
rm -rf "$out/tradeguard"
mkdir -p "$out"
mapfile -t files < <(find protos -name '*.proto' | sort)
"$py" -m grpc_tools.protoc -I protos \
  --python_out="$out" --pyi_out="$out" \
  --grpc_python_out="$out" --mypy_grpc_out="$out" \
  --plugin=protoc-gen-mypy_grpc="$(dirname "$py")/protoc-gen-mypy_grpc" \
  "${files[@]}"
# Generated modules import each other as top-level `tradeguard.*`; make them package-relative.
find "$out/tradeguard" -name '*.py*' -exec sed -i -E \
  's/^(from|import) tradeguard\./\1 services._proto.tradeguard./; s/([ (\[,])tradeguard\.(common|risk|aml|finance)\.v1\./\1services._proto.tradeguard.\2.v1./g' {} +
find "$out/tradeguard" -type d -exec touch {}/__init__.py \;
touch "$out/__init__.py"
