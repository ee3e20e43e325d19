"""The serving peer for bench/risk.py: MLServer 1.7.1 + mlserver-lightgbm on the same model.

MLServer lives in its own venv (bench/peer/setup_mlserver.sh, under var/). Its wheel ships
no .proto, so the V2 (Open Inference Protocol) client messages are built from the
serialized descriptor inside its generated dataplane_pb2.py.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

SERVICE = "/inference.GRPCInferenceService/"
MODEL_NAME = "risk"


@dataclass(frozen=True)
class PeerConfig:
    """One MLServer configuration; the bench runs a few and compares with the best."""

    name: str
    parallel_workers: int
    max_batch_size: int = 0
    max_batch_time: float = 0.0


CONFIGS = (
    PeerConfig("workers0", 0),
    PeerConfig("workers0_batch32", 0, max_batch_size=32, max_batch_time=0.002),
)


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def v2_messages(venv: Path) -> dict[str, Any]:
    """ModelInferRequest/Response and ModelReadyRequest/Response classes, in a private pool."""
    source = (site_packages(venv) / "mlserver/grpc/dataplane_pb2.py").read_text()
    match = re.search(r"AddSerializedFile\(\s*(b'.*?')\s*\)", source, re.S)
    if match is None:
        raise RuntimeError("no serialized descriptor in mlserver's dataplane_pb2.py")
    file_proto = descriptor_pb2.FileDescriptorProto.FromString(ast.literal_eval(match.group(1)))
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file_proto)
    names = ("ModelInferRequest", "ModelInferResponse", "ModelReadyRequest", "ModelReadyResponse")
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"inference.{name}"))
        for name in names
    }


def write_repository(root: Path, model_file: Path, ports: dict[str, int], cfg: PeerConfig) -> Path:
    model_dir = root / MODEL_NAME
    model_dir.mkdir(parents=True, exist_ok=True)
    settings = {
        "debug": False,
        "parallel_workers": cfg.parallel_workers,
        "host": "127.0.0.1",
        "http_port": ports["http"],
        "grpc_port": ports["grpc"],
        "metrics_port": ports["metrics"],
        "metrics_endpoint": None,
    }
    (root / "settings.json").write_text(json.dumps(settings))
    model_settings: dict[str, Any] = {
        "name": MODEL_NAME,
        "implementation": "mlserver_lightgbm.LightGBMModel",
        "parameters": {"uri": str(model_file)},
    }
    if cfg.max_batch_size:
        model_settings["max_batch_size"] = cfg.max_batch_size
        model_settings["max_batch_time"] = cfg.max_batch_time
    (model_dir / "model-settings.json").write_text(json.dumps(model_settings))
    return root


def start(venv: Path, repo: Path, cpus: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MLSERVER_DEBUG": "false"}
    cmd = ["taskset", "-c", cpus, str(venv / "bin/mlserver"), "start", str(repo)]
    with log.open("wb") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(target: str, messages: dict[str, Any], timeout: float = 120.0) -> None:
    """Waits on ModelReady (ServerReady says true even when the model failed to load)."""
    channel = grpc.insecure_channel(target)
    ready = channel.unary_unary(
        SERVICE + "ModelReady",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=messages["ModelReadyResponse"].FromString,
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                if ready(messages["ModelReadyRequest"](name=MODEL_NAME), timeout=2).ready:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.3)
    finally:
        channel.close()
    raise RuntimeError(f"MLServer at {target} did not report the model ready")


def infer_request(messages: dict[str, Any], row: list[float]) -> Any:
    request = messages["ModelInferRequest"](model_name=MODEL_NAME)
    tensor = request.inputs.add(name="input-0", datatype="FP32", shape=[1, len(row)])
    tensor.contents.fp32_contents.extend(row)
    return request
