"""Concurrency limit with exact accounting of shed calls.

grpcio's own ``maximum_concurrent_rpcs`` rejects a call on its polling thread after the
interceptors have already run but before the handler does, so an interceptor cannot tell a
shed call from one that is about to start. This stage enforces the limit itself, in the worker
thread, and counts every call it refuses. The thread pool must be larger than the limit so that
calls past the limit get a thread to be refused on instead of queueing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from services.common.errors import ResourceExhausted
from services.common.pipeline import ActiveCall, CallInfo


class ConcurrencyLimitStage:
    """At most ``limit`` business calls at once; the rest get RESOURCE_EXHAUSTED at once."""

    def __init__(self, limit: int, on_shed: Callable[[CallInfo], None]) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._on_shed = on_shed

    def enter(self, call: ActiveCall) -> None:
        if call.info.is_open:
            return
        if not self._slots.acquire(blocking=False):
            self._on_shed(call.info)
            raise ResourceExhausted(
                f"server is at its limit of {self.limit} concurrent calls",
                reason="CONCURRENCY_LIMIT",
            )
        call.state["slot_held"] = True

    def exit(self, call: ActiveCall, error: BaseException | None) -> None:
        if call.state.pop("slot_held", False):
            self._slots.release()
