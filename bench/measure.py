"""What every benchmark measures besides its own subject: free loopback ports, and the machine's
busy CPU time, so that each round can report the load other processes put on it."""

from __future__ import annotations

import socket

import psutil


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def busy_seconds() -> float:
    """CPU seconds all cores have spent not idle (nor waiting for I/O) since boot."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))
