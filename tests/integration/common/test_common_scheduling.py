"""A service process runs every one of its threads under SCHED_BATCH once it serves, and under
the default policy when the setting is off."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.conftest import TokensFixture

ROOT = Path(__file__).resolve().parents[3]
#: Start-up imports the model libraries; on a busy shared machine that can take a while.
STARTUP_SECONDS = 180

pytestmark = pytest.mark.skipif(
    not hasattr(os, "SCHED_BATCH"), reason="SCHED_BATCH is a Linux policy"
)


def _start(
    port: int, tmp: Path, tokens: TokensFixture, batch: str | None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TRADEGUARD_TOKENS_FILE": str(tokens.path),
        "TRADEGUARD_FINANCE_HOST": "127.0.0.1",
        "TRADEGUARD_FINANCE_PORT": str(port),
        "TRADEGUARD_FINANCE_METRICS_PORT": "0",
        "TRADEGUARD_FINANCE_DB_URL": f"sqlite:///{tmp / f'finance-{port}.db'}",
        "TRADEGUARD_FINANCE_SCREEN_PARTIES": "false",
    }
    env.pop("TRADEGUARD_FINANCE_BATCH_SCHEDULING", None)
    if batch is not None:
        env["TRADEGUARD_FINANCE_BATCH_SCHEDULING"] = batch
    log = (tmp / f"finance-{port}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "services.finance"], cwd=ROOT, env=env, stdout=log, stderr=log
    )


def _serving(port: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until the server answers its health check (a handler thread has run by then)."""
    ends = time.monotonic() + STARTUP_SECONDS
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < ends:
            assert process.poll() is None, "the finance server died during start-up"
            try:
                if health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                    return
            except grpc.RpcError:
                time.sleep(0.1)
    raise TimeoutError("the finance server did not start")


def _settled_policies(pid: int, wanted: int, seconds: float = 10.0) -> dict[int, int]:
    """The process's threads' policies, once all are `wanted` or `seconds` have passed (the
    policy is set once start-up is done, just after the server answers)."""
    ends = time.monotonic() + seconds
    while True:
        policies = _policies(pid)
        if set(policies.values()) == {wanted} or time.monotonic() > ends:
            return policies
        time.sleep(0.1)


def _policies(pid: int) -> dict[int, int]:
    policies = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            policies[int(task.name)] = os.sched_getscheduler(int(task.name))
        except ProcessLookupError:
            continue
    return policies


def test_service_threads_run_batch_scheduled_unless_turned_off(
    tmp_path: Path, tokens_file: TokensFixture, free_port_factory
) -> None:
    on_port, off_port = free_port_factory(), free_port_factory()
    on = _start(on_port, tmp_path, tokens_file, None)
    off = _start(off_port, tmp_path, tokens_file, "false")
    try:
        _serving(on_port, on)
        _serving(off_port, off)
        on_policies = _settled_policies(on.pid, os.SCHED_BATCH)
        off_policies = _policies(off.pid)
    finally:
        for process in (on, off):
            process.terminate()
            process.wait(timeout=30)
    # grpcio's poller and handler threads and the service's own threads: all of them.
    assert len(on_policies) > 3
    assert set(on_policies.values()) == {os.SCHED_BATCH}
    assert set(off_policies.values()) == {os.SCHED_OTHER}
