"""Deadline checks for handlers: stop work once the client has given up.

The deadline stage refuses calls that arrive already expired and records the call's context, so
code deep in a handler can call ``check_deadline()`` between units of work without threading the
context through every function.
"""

from __future__ import annotations

import contextvars
import math

import grpc

from services.common.errors import DeadlineExceeded
from services.common.pipeline import ActiveCall

_CONTEXT: contextvars.ContextVar[grpc.ServicerContext | None] = contextvars.ContextVar(
    "tradeguard_servicer_context", default=None
)


def _resolve(context: grpc.ServicerContext | None) -> grpc.ServicerContext | None:
    return context if context is not None else _CONTEXT.get()


def remaining_seconds(context: grpc.ServicerContext | None = None) -> float:
    """Seconds left before the client's deadline (``inf`` without a deadline or outside a call).

    Raises DeadlineExceeded when the deadline has passed or the call was cancelled.
    """
    resolved = _resolve(context)
    if resolved is None:
        return math.inf
    if not resolved.is_active():
        raise DeadlineExceeded("call cancelled or deadline passed", reason="CALL_NOT_ACTIVE")
    remaining = resolved.time_remaining()
    if remaining is None:
        return math.inf
    if remaining <= 0:
        raise DeadlineExceeded("deadline exceeded")
    return float(remaining)


def check_deadline(context: grpc.ServicerContext | None = None) -> None:
    """Raise DeadlineExceeded if the call should stop; cheap enough for every loop iteration."""
    remaining_seconds(context)


class DeadlineStage:
    """Refuses calls that arrive already expired and exposes the context to ``check_deadline``."""

    def enter(self, call: ActiveCall) -> None:
        if not call.info.is_open:
            remaining_seconds(call.context)
        call.state["deadline_token"] = _CONTEXT.set(call.context)

    def exit(self, call: ActiveCall, error: BaseException | None) -> None:
        try:
            _CONTEXT.reset(call.state["deadline_token"])
        except ValueError:
            # A stream closed by garbage collection runs outside the call's context.
            _CONTEXT.set(None)
