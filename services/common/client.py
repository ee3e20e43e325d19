"""Client channels for the services: target, bearer token, TLS, default deadline, retries.

Retries and the default deadline use the gRPC service config (``retryPolicy`` and ``timeout``),
the mechanism every gRPC client library understands, instead of a hand-written loop.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import grpc

from services.common.tls import channel_credentials


@dataclass(frozen=True)
class ChannelConfig:
    """Where and how to connect. ``tls`` with no ``ca_file`` trusts the system roots."""

    target: str
    token: str | None = None
    tls: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    timeout_seconds: float = 5.0
    max_attempts: int = 4
    initial_backoff_seconds: float = 0.1
    max_backoff_seconds: float = 2.0
    backoff_multiplier: float = 2.0
    max_message_bytes: int = 4 * 1024 * 1024
    keepalive_time_ms: int = 60_000
    #: Longest wait between attempts to reach a server that is down. grpc's default grows to
    #: two minutes, so a dependency that restarts slowly (a large model or feature table to
    #: load) stayed unreachable long after it was serving; a second costs one connect attempt.
    max_reconnect_backoff_seconds: float = 1.0


def service_config(config: ChannelConfig) -> dict[str, Any]:
    """A service config applying the UNAVAILABLE retry to all methods.

    The default deadline is set per call by ``MetadataInterceptor`` instead of the config's
    ``timeout``: grpcio 1.85 fails every call at once when that timeout is under one second.
    """
    return {
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": config.max_attempts,
                    "initialBackoff": f"{config.initial_backoff_seconds:.3f}s",
                    "maxBackoff": f"{config.max_backoff_seconds:.3f}s",
                    "backoffMultiplier": config.backoff_multiplier,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    }


def channel_options(config: ChannelConfig) -> list[tuple[str, Any]]:
    return [
        ("grpc.service_config", json.dumps(service_config(config))),
        ("grpc.enable_retries", 1),
        ("grpc.max_receive_message_length", config.max_message_bytes),
        ("grpc.max_send_message_length", config.max_message_bytes),
        ("grpc.keepalive_time_ms", config.keepalive_time_ms),
        ("grpc.keepalive_timeout_ms", 10_000),
        ("grpc.initial_reconnect_backoff_ms", round(config.max_reconnect_backoff_seconds * 1000)),
        ("grpc.max_reconnect_backoff_ms", round(config.max_reconnect_backoff_seconds * 1000)),
    ]


def call_metadata(
    token: str | None = None, request_id: str | None = None
) -> tuple[tuple[str, str], ...]:
    """Metadata for one call: bearer token and an ``x-request-id`` (generated when not given)."""
    pairs = [("x-request-id", request_id or uuid.uuid4().hex)]
    if token:
        pairs.append(("authorization", f"Bearer {token}"))
    return tuple(pairs)


def connect(config: ChannelConfig) -> grpc.Channel:
    """Open a channel whose calls carry the bearer token (if any) and an ``x-request-id``."""
    options = channel_options(config)
    if config.tls or config.ca_file is not None:
        creds = channel_credentials(config.ca_file, config.cert_file, config.key_file)
        channel = grpc.secure_channel(config.target, creds, options=options)
    else:
        channel = grpc.insecure_channel(config.target, options=options)
    return grpc.intercept_channel(
        channel, MetadataInterceptor(config.token, config.timeout_seconds)
    )


class _CallDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: Sequence[tuple[str, str | bytes]] | None
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


class MetadataInterceptor(
    grpc.UnaryUnaryClientInterceptor,  # type: ignore[misc]
    grpc.UnaryStreamClientInterceptor,  # type: ignore[misc]
    grpc.StreamUnaryClientInterceptor,  # type: ignore[misc]
    grpc.StreamStreamClientInterceptor,  # type: ignore[misc]
):
    """Adds the bearer token, a fresh ``x-request-id`` and the default deadline, unless the
    caller set them."""

    def __init__(self, token: str | None, default_timeout: float | None = None) -> None:
        self._token = token
        self._default_timeout = default_timeout

    def _details(self, details: grpc.ClientCallDetails) -> _CallDetails:
        own = list(details.metadata or ())
        names = {name for name, _ in own}
        extra = [p for p in call_metadata(self._token) if p[0] not in names]
        return _CallDetails(
            details.method,
            self._default_timeout if details.timeout is None else details.timeout,
            own + extra,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def _forward(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    intercept_unary_unary = _forward
    intercept_unary_stream = _forward
    intercept_stream_unary = _forward
    intercept_stream_stream = _forward
