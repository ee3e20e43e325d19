"""SIGTERM on a server process: drain, finish in-flight work, refuse new calls, exit 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent import futures
from pathlib import Path

import grpc
import pytest

from services.common.auth import Role

HERE = Path(__file__).parent
ROOT = HERE.parents[2]


def _wait_for(path: Path, process: subprocess.Popen, limit: float = 30.0) -> str:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists():
            return path.read_text()
        assert process.poll() is None, "server process died during start-up"
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def test_sigterm_drains_inflight_call_and_exits_zero(tmp_path: Path, tokens_file) -> None:
    port_file = tmp_path / "port"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "common_echo_service.py"),
            str(port_file),
            str(tokens_file.path),
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        target = f"127.0.0.1:{_wait_for(port_file, process)}"
        meta = tokens_file.metadata(Role.BANK)
        pool = futures.ThreadPoolExecutor(1)
        with grpc.insecure_channel(target) as channel:
            slow = pool.submit(
                channel.unary_unary("/tradeguard.testing.v1.Echo/Slow"),
                b"4000",
                metadata=meta,
                timeout=30,
            )
            # Wait until the slow call is being handled before signalling.
            _wait_for(port_file.with_suffix(".slow-started"), process)
            process.send_signal(signal.SIGTERM)
            refused = _first_refusal(target, meta, slow)
            assert refused is grpc.StatusCode.UNAVAILABLE
            assert slow.result(timeout=30) == b"done"
        assert process.wait(timeout=30) == 0
        pool.shutdown()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.stderr is not None
    assert '"msg": "draining"' in process.stderr.read()


def _first_refusal(target: str, meta, slow: futures.Future) -> grpc.StatusCode:
    """New calls on fresh connections until one is refused with UNAVAILABLE (listener closed).

    A call that raced the shutdown on an already accepted connection may end CANCELLED, or never
    be handled and run out its deadline; neither is served, so keep going until the steady state
    shows.
    """
    for _ in range(200):
        with grpc.insecure_channel(target) as channel:
            call = channel.unary_unary("/tradeguard.testing.v1.Echo/Echo")
            try:
                call(b"n", metadata=meta, timeout=1)
            except grpc.RpcError as err:
                not_served = (grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED)
                assert err.code() is grpc.StatusCode.UNAVAILABLE or err.code() in not_served
                if err.code() is grpc.StatusCode.UNAVAILABLE:
                    assert not slow.done(), "new calls must be refused while the slow call runs"
                    return err.code()
        time.sleep(0.02)
    pytest.fail("server kept accepting new calls after SIGTERM")
