"""A dependency's health, watched over one long-lived stream on the channel finance calls it on.

grpcio runs a channel's completion thread only while a call is in flight there: after an idle
moment the next call starts a new thread, which with one dependency call per quote meant a
thread started for nearly every call (CPU and latency on the quote's path). The watch keeps one
call open for the channel's life, and reports whether the dependency is SERVING (its readiness,
``""``), re-opening the stream with a growing pause while the dependency is unreachable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

_LOG = logging.getLogger("services.finance")
SERVING = health_pb2.HealthCheckResponse.SERVING
FIRST_PAUSE_SECONDS = 0.5
LONGEST_PAUSE_SECONDS = 5.0
#: A stream's own deadline (the channel would give it a short default one); then a new one.
STREAM_SECONDS = 3600.0


class HealthWatch:
    """Watches ``channel``'s server health in a daemon thread; ``report(serving)`` is called at
    every change (False while the stream is down)."""

    def __init__(self, name: str, channel: grpc.Channel, report: Callable[[bool], None]) -> None:
        self._name = name
        self._stub = health_pb2_grpc.HealthStub(channel)
        self._report = report
        self._closing = threading.Event()
        self._call: grpc.Future | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"health-watch-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stop watching (before the channel closes, so the end of the stream is expected)."""
        self._closing.set()
        with self._lock:
            if self._call is not None:
                self._call.cancel()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        pause = FIRST_PAUSE_SECONDS
        while not self._closing.is_set():
            call = self._stub.Watch(
                health_pb2.HealthCheckRequest(service=""), timeout=STREAM_SECONDS
            )
            with self._lock:
                self._call = call
            if self._closing.is_set():
                call.cancel()
                return
            try:
                for update in call:
                    self._report(update.status == SERVING)
                    pause = FIRST_PAUSE_SECONDS
            except grpc.RpcError as error:
                if self._closing.is_set():
                    return
                if error.code() is grpc.StatusCode.DEADLINE_EXCEEDED:
                    continue  # the stream's hour is up: open the next one
                _LOG.debug(
                    "dependency health watch ended",
                    extra={"dependency": self._name, "code": error.code().name},
                )
            self._report(False)
            if self._closing.wait(pause):
                return
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
