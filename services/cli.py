"""The ``tradeguard`` command line.

Commands come from a registry of modules, each exposing ``register(subparsers) -> None`` that
adds its parsers and sets ``func(args) -> int`` on them. Modules that are not installed yet are
skipped, so packages can join the registry as they land. Command modules keep heavy imports
(polars, lightgbm, grpc stubs) inside their functions so ``tradeguard --help`` stays fast.

``tradeguard serve NAME [flags]`` loads the service's server module (``SERVER_MODULES``), which
provides ``Settings`` (a ``ServiceSettings`` subclass) and ``serve(settings) -> int``;
``serve all`` runs the three services as child processes and forwards SIGTERM/SIGINT to them.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType, ModuleType
from typing import Any

from services.commandline.parser import CommandParser
from services.commandline.runner import run_command

COMMAND_MODULES: tuple[str, ...] = (
    "services.common.tokens_cli",
    "services.tradedata.cli",
    "services.risk.api.cli",
    "services.risk.training.cli",
    "services.risk.training.models_cli",
    "services.aml.api.cli",
    "services.aml.training.cli",
    "services.finance.api.cli",
    "services.finance.api.book_cli",
    "services.finance.training.cli",
    "services.demo.cli",
    "services.scale.cli",
)
#: Which module adds a top-level command. When the command on the line is listed here only its
#: module is imported, so ``tradeguard tokens ...`` never loads lightgbm or polars; anything else
#: (``--help``, a command missing from this map) imports every module.
COMMAND_OWNERS: dict[str, tuple[str, ...]] = {
    "tokens": ("services.common.tokens_cli",),
    "generate": ("services.tradedata.cli",),
    "features": ("services.tradedata.cli", "services.scale.cli"),
    "data": ("services.tradedata.cli",),
    "train": (
        "services.risk.training.cli",
        "services.aml.training.cli",
        "services.finance.training.cli",
        "services.scale.cli",
    ),
    "score": ("services.risk.api.cli",),
    "models": ("services.risk.training.models_cli",),
    "aml": ("services.aml.api.cli",),
    "quote": ("services.finance.api.cli",),
    "limit": ("services.finance.api.book_cli",),
    "policy": ("services.finance.api.book_cli",),
    "demo": ("services.demo.cli",),
}
#: Each service's wiring module: ``Settings`` and ``serve(settings) -> int``.
SERVER_MODULES: dict[str, str] = {
    "risk": "services.risk.api.server",
    "aml": "services.aml.api.server",
    "finance": "services.finance.api.server",
}
SERVICES: tuple[str, ...] = tuple(SERVER_MODULES)
#: The web console starts like a service but is not one of the gRPC services `serve all` runs.
SERVER_MODULES["console"] = "services.console.api.server"


def _import_optional(name: str) -> ModuleType | None:
    """The module, or None when it (or its package) does not exist; other errors propagate."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return None
        raise


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="tradeguard",
        description="Trade-finance risk services: scoring, AML, insurance.",
        epilog="Errors are one `error: ...` line on stderr: exit code 2 for a command that "
        "cannot run as typed, 1 for a failed call to a service (with its gRPC code).",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _register_serve(subparsers)
    for name in modules:
        module = _import_optional(name)
        if module is not None:
            module.register(subparsers)
    return parser


def _register_serve(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run a service (risk, aml, finance), all three, or the web console",
        description="Flags after NAME are the service's settings; see `serve NAME --help`.",
    )
    serve.add_argument("name", choices=(*SERVICES, "console", "all"))
    serve.add_argument("service_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    serve.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    if args.name == "all":
        return serve_all(SERVICES)
    return serve_one(args.name, args.service_args)


def serve_parser(name: str) -> argparse.ArgumentParser:
    """`tradeguard serve NAME`'s flags: the service's settings."""
    from services.common.settings import add_settings_arguments

    parser = CommandParser(prog=f"tradeguard serve {name}")
    add_settings_arguments(parser, importlib.import_module(SERVER_MODULES[name]).Settings)
    return parser


def serve_one(name: str, argv: Sequence[str]) -> int:
    """Build the service's settings from env + ``argv`` flags and run it until signalled."""
    from services.common.settings import settings_from_args

    module = importlib.import_module(SERVER_MODULES[name])
    args = serve_parser(name).parse_args(list(argv))
    return int(module.serve(settings_from_args(module.Settings, args)))


def serve_all(names: Sequence[str]) -> int:
    """Run each service in its own process; stop all when one exits or on a signal."""
    children = [
        subprocess.Popen([sys.executable, "-m", "services.cli", "serve", name]) for name in names
    ]

    def _forward(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _forward)
    while all(child.poll() is None for child in children):
        time.sleep(0.2)
    _forward(signal.SIGTERM, None)
    return max(abs(child.wait()) for child in children)


def _modules_for(argv: Sequence[str]) -> tuple[str, ...]:
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command == "serve":
        return ()
    owners = COMMAND_OWNERS.get(command or "", ())
    listed = tuple(name for name in owners if name in COMMAND_MODULES)
    return listed or COMMAND_MODULES


def main(argv: Sequence[str] | None = None) -> int:
    """Parse and run one command; every expected failure is one `error:` line, no traceback."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_modules_for(arguments))
    args = parser.parse_args(arguments)
    return run_command(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
