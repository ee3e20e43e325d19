"""Structured JSON-lines logging and the per-call access log.

Every log record becomes one JSON object; fields passed with ``extra=`` become top-level keys,
so log processors can filter on ``request_id`` or ``code`` without parsing messages.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import IO, Any

from services.common.pipeline import ActiveCall, status_code

ACCESS_LOGGER = "services.access"
#: Longest string a log line carries for one field: client-chosen strings (a request_id, a
#: name in an error) must not turn one call into megabytes of log.
MAX_FIELD_CHARS = 256
# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, extra fields, and exc on errors."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": clip(record.getMessage(), 8 * MAX_FIELD_CHARS),
        }
        entry.update({k: clip(v) for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def clip(value: Any, limit: int = MAX_FIELD_CHARS) -> Any:
    """``value`` with a string cut to ``limit`` characters (and its full length noted)."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]}…[{len(value)} chars]"
    return value


def configure_logging(level: str = "INFO", stream: IO[str] | None = None) -> None:
    """Send every ``services.*`` logger to ``stream`` (stderr) as JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("services")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


def get_logger(package: str) -> logging.Logger:
    """The logger of a package, e.g. ``get_logger("risk")`` -> ``services.risk``."""
    return logging.getLogger(f"services.{package}")


def request_id_of(call: ActiveCall) -> str:
    """The request's ``request_id`` field if it has one, else the ``x-request-id`` header."""
    field_value = getattr(call.request, "request_id", None)
    if isinstance(field_value, str) and field_value:
        return str(clip(field_value))
    return str(clip(call.info.metadata_value("x-request-id") or ""))


class AccessLogStage:
    """Logs one line per call; health and reflection calls at DEBUG so probes stay quiet."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._logger = logger or logging.getLogger(ACCESS_LOGGER)

    def enter(self, call: ActiveCall) -> None:
        call.state["log_start"] = time.perf_counter()

    def exit(self, call: ActiveCall, error: BaseException | None) -> None:
        self._emit(call, error, (time.perf_counter() - call.state["log_start"]) * 1000.0)

    def _emit(self, call: ActiveCall, error: BaseException | None, latency_ms: float) -> None:
        level = logging.DEBUG if call.info.is_open else logging.INFO
        if not self._logger.isEnabledFor(level):
            return
        principal = call.state.get("principal")
        fields = {
            "request_id": request_id_of(call),
            "method": call.info.full_method,
            "grpc_type": call.info.grpc_type,
            "code": status_code(call, error).name,
            "latency_ms": round(latency_ms, 3),
            "tenant": getattr(principal, "tenant", ""),
            "role": str(getattr(principal, "role", "")),
        }
        # What Logger.log does, less findCaller's walk up the stack: the caller is always this
        # line, and JsonFormatter writes no file or line.
        logger = self._logger
        logger.handle(logger.makeRecord(logger.name, level, "", 0, "rpc", (), None, extra=fields))
