"""A small bytes-in/bytes-out service for exercising the server core without generated stubs.

Also runnable as a script (``python common_echo_service.py PORT_FILE TOKENS_FILE``) for the
signal-handling tests: it serves until SIGTERM and exits with serve_until_signal's code.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import grpc

from services.common.auth import Role, current_principal
from services.common.deadlines import check_deadline
from services.common.errors import FieldViolation, UnavailableError, ValidationError
from services.common.server import ServiceRegistration
from services.common.settings import (
    ServiceSettings,
    grpc_port_field,
    metrics_port_field,
    service_config,
)

SERVICE = "tradeguard.testing.v1.Echo"
ALL_ROLES = frozenset(Role)


def method(name: str) -> str:
    return f"/{SERVICE}/{name}"


class EchoSettings(ServiceSettings):
    """Settings of the test service."""

    model_config = service_config("testing")
    service: ClassVar[str] = "testing"
    port: int = grpc_port_field(0)
    metrics_port: int = metrics_port_field(0)


METHOD_ROLES = {
    **{
        method(name): ALL_ROLES
        for name in (
            "Echo",
            "Slow",
            "Invalid",
            "Crash",
            "WhoAmI",
            "Flaky",
            "Gate",
            "Chunks",
            "Collect",
            "Bidi",
            "Decode",
            "DecodeStream",
        )
    },
    method("AdminOnly"): frozenset({Role.ADMIN}),
    # "Unlisted" is deliberately absent: the auth stage must refuse it for everyone.
}


@dataclass
class EchoBehaviour:
    """Observable state of the handlers, shared with the tests."""

    gate: threading.Event = field(default_factory=threading.Event)
    gate_entered: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    slow_started: threading.Event = field(default_factory=threading.Event)
    slow_stopped_early: threading.Event = field(default_factory=threading.Event)
    slow_steps: int = 0
    flaky_failures_left: int = 0
    flaky_calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def echo(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        return request

    def slow(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        """Works in 10 ms steps for ``int(request)`` ms, checking the deadline every step."""
        self.slow_started.set()
        steps = max(1, int(request or b"1000") // 10)
        try:
            for _ in range(steps):
                check_deadline()
                time.sleep(0.01)
                self.slow_steps += 1
        except Exception:
            self.slow_stopped_early.set()
            raise
        return b"done"

    def invalid(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        raise ValidationError(
            "request has 2 invalid fields",
            [
                FieldViolation("amount.units", "must be positive"),
                FieldViolation("buyer.country_code", "must be ISO 3166-1 alpha-2"),
            ],
        )

    def crash(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        raise RuntimeError("secret connection string postgres://admin:hunter2@db")

    def who_am_i(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        principal = current_principal()
        assert principal is not None
        return f"{principal.tenant}:{principal.role.value}".encode()

    def flaky(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        with self.lock:
            self.flaky_calls += 1
            failing = self.flaky_failures_left > 0
            self.flaky_failures_left -= 1
        if failing:
            raise UnavailableError("store restarting")
        return b"recovered"

    def gated(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        self.gate_entered.release()
        self.gate.wait(30)
        return b"released"

    def chunks(self, request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
        for index in range(len(request)):
            yield request[index : index + 1]

    def collect(self, requests: Iterator[bytes], context: grpc.ServicerContext) -> bytes:
        return b"".join(requests)

    def bidi(self, requests: Iterator[bytes], context: grpc.ServicerContext) -> Iterator[bytes]:
        for request in requests:
            yield request.upper()


def _unary(fn: Callable[..., Any]) -> grpc.RpcMethodHandler:
    return grpc.unary_unary_rpc_method_handler(fn)


def _utf8(data: bytes) -> str:
    """A deserializer that fails on some inputs, as protobuf's does on malformed bytes."""
    return data.decode("utf-8")


def _decoded(text: str, context: grpc.ServicerContext) -> bytes:
    return text.encode("utf-8")


def _decoded_stream(texts: Iterator[str], context: grpc.ServicerContext) -> bytes:
    return "".join(texts).encode("utf-8")


def registration(behaviour: EchoBehaviour) -> ServiceRegistration:
    handlers = {
        "Echo": _unary(behaviour.echo),
        "Slow": _unary(behaviour.slow),
        "Invalid": _unary(behaviour.invalid),
        "Crash": _unary(behaviour.crash),
        "WhoAmI": _unary(behaviour.who_am_i),
        "Flaky": _unary(behaviour.flaky),
        "Gate": _unary(behaviour.gated),
        "AdminOnly": _unary(behaviour.echo),
        "Unlisted": _unary(behaviour.echo),
        "Chunks": grpc.unary_stream_rpc_method_handler(behaviour.chunks),
        "Collect": grpc.stream_unary_rpc_method_handler(behaviour.collect),
        "Bidi": grpc.stream_stream_rpc_method_handler(behaviour.bidi),
        "Decode": grpc.unary_unary_rpc_method_handler(_decoded, request_deserializer=_utf8),
        "DecodeStream": grpc.stream_unary_rpc_method_handler(
            _decoded_stream, request_deserializer=_utf8
        ),
    }
    generic = grpc.method_handlers_generic_handler(SERVICE, handlers)
    return ServiceRegistration(
        add=lambda server: server.add_generic_rpc_handlers((generic,)), names=(SERVICE,)
    )


def _serve_for_signal_test(port_file: Path, tokens_file: Path) -> int:
    from services.common.logging import configure_logging
    from services.common.server import build_server

    configure_logging("INFO")
    settings = EchoSettings(host="127.0.0.1", tokens_file=tokens_file, grace_seconds=10)
    behaviour = EchoBehaviour()
    managed = build_server(settings, [registration(behaviour)], METHOD_ROLES)
    managed.start(metrics=False)
    # Tell the test (another process) when the slow call is really being handled.
    marker = port_file.with_suffix(".slow-started")
    threading.Thread(
        target=lambda: behaviour.slow_started.wait() and marker.write_text("1"), daemon=True
    ).start()
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(str(managed.port))
    tmp.replace(port_file)
    return managed.serve_until_signal()


if __name__ == "__main__":
    sys.exit(_serve_for_signal_test(Path(sys.argv[1]), Path(sys.argv[2])))
