"""Request decoding that never fails inside grpcio: refusals become values the pipeline answers.

grpcio answers a message it cannot decode with INTERNAL, outside every interceptor (no access log
line, no metric), and a request stream that hits one never lets the server finish its shutdown.
Every handler's deserializer is wrapped so that a message that does not decode, or a streamed
message over its byte limit (checked before decoding), becomes a ``RefusedMessage``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from services.common.errors import ResourceExhausted, TradeGuardError, ValidationError
from services.common.request_bounds import bounds_error


@dataclass(frozen=True)
class RefusedMessage:
    """Stands in for a request message that was refused before decoding finished."""

    error: TradeGuardError


@dataclass(frozen=True)
class UncheckedMessage:
    """A decoded unary request whose bounds check failed unexpectedly as it was decoded: the
    guard stage checks it again inside the pipeline, where a failure is answered, logged and
    counted (raised inside grpcio's deserializer it would be a bare INTERNAL)."""

    message: Message


def guarded_deserializer(
    deserializer: Callable[[bytes], Any] | None,
    max_bytes: int | None,
    check_bounds: bool = False,
) -> Callable[[bytes], Any] | None:
    """``deserializer`` that never raises: refusals come back as ``RefusedMessage``.
    ``check_bounds`` (unary requests): a message with a field out of its bound (see
    ``request_bounds``) is refused too; done here, the length of its bytes is at hand."""
    if deserializer is None:
        return None
    decode = deserializer
    if check_bounds:
        return _bounded(decode)

    def deserialize(data: bytes) -> Any:
        if max_bytes is not None and len(data) > max_bytes:
            return RefusedMessage(
                ResourceExhausted(
                    f"stream message of {len(data)} bytes exceeds the limit of {max_bytes}",
                    reason="MESSAGE_TOO_LARGE",
                )
            )
        try:
            return decode(data)
        except Exception:  # the protobuf runtime raises several types for malformed bytes
            return RefusedMessage(
                ValidationError(
                    "request message could not be decoded", reason="UNDECODABLE_MESSAGE"
                )
            )

    return deserialize


def _bounded(decode: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    def deserialize(data: bytes) -> Any:
        try:
            message = decode(data)
        except Exception:  # the protobuf runtime raises several types for malformed bytes
            return RefusedMessage(
                ValidationError(
                    "request message could not be decoded", reason="UNDECODABLE_MESSAGE"
                )
            )
        if isinstance(message, Message):
            try:
                error = bounds_error(message, len(data))
            except Exception:  # a defect of the check: rerun where it is reported
                return UncheckedMessage(message)
            if error is not None:
                return RefusedMessage(error)
        return message

    return deserialize
