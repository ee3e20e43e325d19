"""Fixtures starting the test Echo service on loopback with the real server core."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from prometheus_client import CollectorRegistry

sys.path.insert(0, str(Path(__file__).parent))

from common_echo_service import (  # noqa: E402
    METHOD_ROLES,
    EchoBehaviour,
    EchoSettings,
    registration,
)

from services.common.server import ManagedServer, build_server  # noqa: E402


@dataclass
class RunningEcho:
    managed: ManagedServer
    behaviour: EchoBehaviour
    channel: grpc.Channel
    registry: CollectorRegistry

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.managed.port}"

    def unary(self, name: str) -> grpc.UnaryUnaryMultiCallable:
        return self.channel.unary_unary(f"/tradeguard.testing.v1.Echo/{name}")


@pytest.fixture
def start_echo(
    tokens_file: Any, prometheus_registry: CollectorRegistry
) -> Iterator[Callable[..., RunningEcho]]:
    """``start_echo(**settings)`` starts a server (metrics on a free port) and a plain channel."""
    running: list[RunningEcho] = []

    def start(metrics: bool = True, **overrides: Any) -> RunningEcho:
        values: dict[str, Any] = {"host": "127.0.0.1", "tokens_file": tokens_file.path}
        values.update(overrides)
        settings = EchoSettings(**values)
        behaviour = EchoBehaviour()
        managed = build_server(
            settings, [registration(behaviour)], METHOD_ROLES, prometheus_registry
        )
        managed.start(metrics=metrics)
        channel = grpc.insecure_channel(f"127.0.0.1:{managed.port}")
        echo = RunningEcho(managed, behaviour, channel, prometheus_registry)
        running.append(echo)
        return echo

    yield start
    for echo in running:
        echo.behaviour.gate.set()
        echo.channel.close()
        echo.managed.stop(0)
