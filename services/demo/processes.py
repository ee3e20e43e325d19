"""The three services as child processes on loopback, and waiting for them to be healthy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVICE_NAMES: Mapping[str, str] = {
    "risk": "tradeguard.risk.v1.RiskScoring",
    "aml": "tradeguard.aml.v1.AmlMonitoring",
    "finance": "tradeguard.finance.v1.CreditInsurance",
}


@dataclass(frozen=True)
class Endpoint:
    name: str
    port: int
    metrics_port: int

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"


@dataclass
class ServiceProcesses:
    """Started services; `stop()` sends SIGTERM and waits for the graceful drain."""

    endpoints: dict[str, Endpoint]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, env: Mapping[str, str], log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}"],
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_healthy(self, name: str, timeout: float = 120.0) -> None:
        """Until the service reports SERVING; fail early when its process died."""
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(self.endpoints[name].target) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            request = health_pb2.HealthCheckRequest(service=SERVICE_NAMES[name])
            while time.monotonic() < deadline:
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited with {self.processes[name].returncode}")
                try:
                    if (
                        stub.Check(request, timeout=2).status
                        == health_pb2.HealthCheckResponse.SERVING
                    ):
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.2)
        raise TimeoutError(f"{name} did not become healthy within {timeout:.0f} s")

    def any_exited(self) -> str | None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None

    def stop(self, timeout: float = 30.0) -> dict[str, int]:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = {}
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = process.wait()
        return codes
