"""Refused request messages (undecodable, or a unary request with a field out of bounds) answered
inside the pipeline before the handler runs, and idle request streams closed.

A ``RefusedMessage`` (see ``decoding``) becomes INVALID_ARGUMENT / RESOURCE_EXHAUSTED here,
where it is logged and counted like any other outcome. The same stage closes request streams
that send nothing for ``idle_seconds`` while the handler waits for them, so an idle stream
cannot hold a concurrency slot for minutes.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from services.common.decoding import RefusedMessage, UncheckedMessage
from services.common.errors import DeadlineExceeded
from services.common.pipeline import ActiveCall
from services.common.request_bounds import check_bounds

_LOG = logging.getLogger("services.common")


class GuardedRequests:
    """A request stream that refuses bad messages and reports how long it has been waiting."""

    __slots__ = ("_inner", "_idle_seconds", "waiting_since", "closed_idle")

    def __init__(self, inner: Iterator[Any], idle_seconds: float) -> None:
        self._inner = inner
        self._idle_seconds = idle_seconds
        self.waiting_since: float | None = None
        self.closed_idle = False

    def __iter__(self) -> GuardedRequests:
        return self

    def __next__(self) -> Any:
        self.waiting_since = time.monotonic()
        try:
            message = next(self._inner)
        except StopIteration:
            raise
        except Exception as exc:
            if self.closed_idle:
                raise self.idle_error() from exc
            raise
        finally:
            self.waiting_since = None
        if isinstance(message, RefusedMessage):
            raise message.error
        return message

    def idle_error(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"no stream message for {self._idle_seconds:g} s; stream closed",
            reason="STREAM_IDLE",
        )


class IdleStreamReaper:
    """One daemon thread that cancels request streams idle for longer than ``idle_seconds``."""

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self._streams: dict[int, tuple[GuardedRequests, Any]] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, stream: GuardedRequests, context: Any) -> int:
        with self._lock:
            key = next(self._ids)
            self._streams[key] = (stream, context)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="idle-stream-reaper", daemon=True
                )
                self._thread.start()
        return key

    def forget(self, key: int) -> None:
        with self._lock:
            self._streams.pop(key, None)

    def reap_once(self) -> int:
        """Cancel every stream idle for too long; returns how many were closed."""
        cutoff = time.monotonic() - self.idle_seconds
        with self._lock:
            idle = [
                (s, c)
                for s, c in self._streams.values()
                if s.waiting_since is not None and s.waiting_since < cutoff and not s.closed_idle
            ]
        for stream, context in idle:
            stream.closed_idle = True
            _LOG.warning("idle request stream closed", extra={"idle_seconds": self.idle_seconds})
            context.cancel()
        return len(idle)

    def _run(self) -> None:
        tick = min(1.0, self.idle_seconds / 4)
        while True:
            time.sleep(tick)
            self.reap_once()


class MessageGuardStage:
    """Answers refused messages inside the pipeline and watches request streams for idleness."""

    def __init__(self, idle_seconds: float) -> None:
        self._reaper = IdleStreamReaper(idle_seconds)

    def enter(self, call: ActiveCall) -> None:
        request = call.request
        if isinstance(request, RefusedMessage):
            raise request.error  # undecodable, or out of bounds (checked as it was decoded)
        if isinstance(request, UncheckedMessage):
            call.request = request.message
            check_bounds(request.message)
        if call.info.grpc_type in ("CLIENT_STREAM", "BIDI_STREAM"):
            guarded = GuardedRequests(request, self._reaper.idle_seconds)
            call.request = guarded
            call.state["idle_watch"] = self._reaper.watch(guarded, call.context)

    def exit(self, call: ActiveCall, error: BaseException | None) -> None:
        key = call.state.pop("idle_watch", None)
        if key is not None:
            self._reaper.forget(key)
