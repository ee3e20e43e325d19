"""The one start-up shape of every service: build, start, serve until a signal, drain.

Each service provides a ``build(settings)`` returning an object with ``start()`` and
``stop(grace)``; ``stop`` is the service's only stop logic (its server drains first, then its
own threads and stores close). ``serve`` runs that shape for ``tradeguard serve <svc>`` and
``python -m services.<svc>``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Protocol, TypeVar

from services.common.gc_tuning import tune_gc_for_serving
from services.common.logging import configure_logging
from services.common.scheduling import batch_scheduling
from services.common.settings import (
    ConfigurationError,
    ServiceSettings,
    add_settings_arguments,
    settings_from_args,
)

_LOG = logging.getLogger("services.common")
#: Exit code of a service that cannot start as configured.
EXIT_CANNOT_START = 2
S = TypeVar("S", bound=ServiceSettings)


class Service(Protocol):
    """A wired service: ``start`` binds and serves, ``stop`` drains then releases everything."""

    def start(self, *, metrics: bool = True) -> object: ...

    def stop(self, grace: float | None = None) -> None: ...


def wait_for_stop_signal(stop_requested: threading.Event | None = None) -> None:
    """Block until SIGTERM or SIGINT (or ``stop_requested`` is set); handlers are restored."""
    requested = stop_requested if stop_requested is not None else threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        _LOG.info("signal received", extra={"signal": signal.Signals(signum).name})
        requested.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not requested.wait(1.0):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_until_signal(service: Service, *, batch_scheduled: bool = False) -> int:
    """Start ``service``, serve until a signal, drain it; the exit code (0). `batch_scheduled`:
    its threads run under SCHED_BATCH (see `services.common.scheduling`)."""
    service.start()
    tune_gc_for_serving()
    if batch_scheduled:
        batch_scheduling()
    try:
        wait_for_stop_signal()
    finally:
        service.stop()
    return 0


def serve(settings: S, build: Callable[[S], Service]) -> int:
    """Configure logging, build the service from ``settings`` and run it until a signal."""
    configure_logging(settings.log_level)
    return run_until_signal(build(settings), batch_scheduled=settings.batch_scheduling)


def main(
    argv: Sequence[str] | None,
    settings_class: type[S],
    build: Callable[[S], Service],
    description: str | None = None,
) -> int:
    """``python -m services.<svc>``: settings from env and flags, then ``serve``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m services.{settings_class.service}", description=description
    )
    add_settings_arguments(parser, settings_class)
    args = parser.parse_args(argv)
    try:
        return serve(settings_from_args(settings_class, args), build)
    except (ConfigurationError, OSError) as exc:  # a key file missing, the port taken, ...
        print(f"{settings_class.service}: cannot start: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
