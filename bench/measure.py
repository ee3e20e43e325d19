"""What every benchmark measures besides its own subject: free loopback ports, and the machine's
busy CPU time, so that each round can report the load other processes put on it; and the one
command that starts the risk service under measurement."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def busy_seconds() -> float:
    """CPU seconds all cores have spent not idle (nor waiting for I/O) since boot."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def start_risk_server(
    models: Path,
    features: Path,
    tokens: Path,
    log: Path,
    *,
    cpu: str,
    extra: Sequence[str] = (),
) -> tuple[subprocess.Popen[bytes], str]:
    """The risk service (`python -m services.risk`) serving `models` and `features` on a free
    loopback port, pinned to `cpu`, one math thread, warnings only, its output to `log`;
    returns the process and its target (not waited for: it may load for a while)."""
    port = free_port()
    command = [
        "taskset",
        "-c",
        cpu,
        sys.executable,
        "-m",
        "services.risk",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--metrics-port",
        str(free_port()),
        "--model-dir",
        str(models),
        "--features",
        str(features),
        "--log-level",
        "WARNING",
        *extra,
    ]
    env = {**os.environ, "TRADEGUARD_TOKENS_FILE": str(tokens), "OMP_NUM_THREADS": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, f"127.0.0.1:{port}"
