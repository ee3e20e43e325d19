"""Connection flags and channels for commands that call a running service.

The default target follows the same variables the services read, so a shell that started the
services with `TRADEGUARD_RISK_PORT=51051` reaches them with no flag:
`TRADEGUARD_<SERVICE>_TARGET`, else `localhost:$TRADEGUARD_<SERVICE>_PORT`, else the default port.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

DEFAULT_PORTS = {"risk": 50051, "aml": 50052, "finance": 50053}


def default_target(service: str) -> str:
    prefix = f"TRADEGUARD_{service.upper()}_"
    explicit = os.environ.get(prefix + "TARGET")
    if explicit:
        return explicit
    return f"localhost:{os.environ.get(prefix + 'PORT') or DEFAULT_PORTS[service]}"


def add_connection_flags(
    parser: argparse.ArgumentParser, service: str, timeout: float = 10.0
) -> None:
    """`--target`, `--token`, `--ca-file` and `--timeout` for calls to `service`."""
    upper = service.upper()
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--target",
        default=None,
        help=f"host:port of the {service} service (default: $TRADEGUARD_{upper}_TARGET, else "
        f"localhost:$TRADEGUARD_{upper}_PORT, else localhost:{DEFAULT_PORTS[service]})",
    )
    group.add_argument(
        "--token",
        default=None,
        help="bearer token (default: $TRADEGUARD_TOKEN); write --token=VALUE if it starts with -",
    )
    group.add_argument("--ca-file", type=Path, default=None, help="CA bundle: connect with TLS")
    group.add_argument("--timeout", type=float, default=timeout, help="deadline in seconds")
    parser.set_defaults(service=service)


def resolve_target(args: argparse.Namespace) -> str:
    """The target this command calls; also written back so error lines can name it."""
    if not getattr(args, "target", None):
        args.target = default_target(args.service)
    return str(args.target)


def open_channel(args: argparse.Namespace) -> Any:
    """A channel carrying the token, a request id and the deadline on every call."""
    from services.common.client import ChannelConfig, connect

    config = ChannelConfig(
        resolve_target(args),
        token=args.token or os.environ.get("TRADEGUARD_TOKEN") or None,
        ca_file=args.ca_file,
        timeout_seconds=args.timeout,
        max_attempts=2,
    )
    return connect(config)
