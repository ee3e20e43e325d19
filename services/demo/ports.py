"""Where the demo's services listen, and refusing to start over another instance.

Ports come from `--grpc-ports`/`--metrics-ports`, else from the same `TRADEGUARD_<S>_PORT` and
`TRADEGUARD_<S>_METRICS_PORT` variables the services read, else the defaults. A port already
taken, or a work directory another demo holds, is a clear error before anything starts: the
second demo would otherwise report the first one's services as its own and rewrite its tokens.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.commandline.errors import CommandError
from services.demo.processes import Endpoint

NAMES = ("risk", "aml", "finance")
DEFAULT_PORTS = {"risk": (50051, 9101), "aml": (50052, 9102), "finance": (50053, 9103)}


def _env_port(name: str, kind: str, default: int) -> int:
    variable = f"TRADEGUARD_{name.upper()}_{kind}"
    text = os.environ.get(variable)
    if not text:
        return default
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise CommandError(f"{variable}={text!r} is not a port number")
    return int(text)


def _listed(text: str, flag: str) -> list[int]:
    parts = text.split(",")
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise CommandError(
            f"{flag} takes three ports, risk,aml,finance (such as 51051,51052,51053)"
        )
    return [int(p) for p in parts]


def endpoints(grpc_ports: str | None, metrics_ports: str | None) -> dict[str, Endpoint]:
    """Each service's gRPC and metrics port, from the flags, the environment or the defaults."""
    grpc = _listed(grpc_ports, "--grpc-ports") if grpc_ports else None
    metrics = _listed(metrics_ports, "--metrics-ports") if metrics_ports else None
    found = {}
    for i, name in enumerate(NAMES):
        port = grpc[i] if grpc else _env_port(name, "PORT", DEFAULT_PORTS[name][0])
        metric = metrics[i] if metrics else _env_port(name, "METRICS_PORT", DEFAULT_PORTS[name][1])
        found[name] = Endpoint(name, port, metric)
    return found


def console_port(flag: int | None) -> int:
    """The web console's port: the flag, `TRADEGUARD_CONSOLE_PORT` or 8080."""
    return flag if flag is not None else _env_port("console", "PORT", 8080)


def ensure_free(ends: dict[str, Endpoint]) -> None:
    """Every port can be bound on loopback now, or an error naming the first one taken."""
    for end in ends.values():
        prefix = f"TRADEGUARD_{end.name.upper()}_"
        refuse_if_taken(end.port, f"{end.name} gRPC", prefix + "PORT")
        refuse_if_taken(end.metrics_port, f"{end.name} metrics", prefix + "METRICS_PORT")


def refuse_if_taken(port: int, what: str, variable: str) -> None:
    if _taken(port):
        raise CommandError(
            f"port {port} ({what}) is already in use, perhaps by another demo; stop it or "
            f"choose another port with {variable}"
        )


def _taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


@contextmanager
def workdir_lock(root: Path) -> Iterator[None]:
    """Hold `root/demo.lock` while the demo runs; a second demo on the same folder stops here."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / "demo.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise CommandError(
                f"another demo is running in {root}; stop it first or give --workdir"
            ) from exc
        yield
