"""Request validation for aml.v1: every invalid field of a request reported at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.message import Message

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.common.violations import FieldViolations

# Document dates outside these bounds are typing errors, and window arithmetic on them would
# overflow Python's datetime: 1970-01-01 .. 2199-12-31 (epoch seconds).
_EARLIEST_SECONDS = 0


_LATEST_SECONDS = 7_258_118_399


def moment_problem(message: Message, name: str, required: bool) -> str | None:
    """What is wrong with a timestamp field, if anything (the caller formats the path only
    then: this runs for every document of every streamed trade)."""
    if not message.HasField(name):
        return "is required" if required else None
    seconds = getattr(message, name).seconds
    if _EARLIEST_SECONDS <= seconds <= _LATEST_SECONDS:
        return None
    return "must be between 1970-01-01 and 2199-12-31"


# Screening "as of" a moment ahead would judge deadlines that have not passed; a day covers
# clocks and time zones of the sender.
_AS_OF_AHEAD = timedelta(days=1)


def as_of_problem(request: aml_pb2.ScreenTradeRequest) -> str | None:
    """What is wrong with a screening's as_of, if anything."""
    if problem := moment_problem(request, "as_of", False):
        return problem
    if request.HasField("as_of"):
        moment = request.as_of.ToDatetime(tzinfo=UTC)
        if moment > datetime.now(UTC) + _AS_OF_AHEAD:
            return "must not be more than a day in the future"
    return None


def require_id(value: str, field: str) -> None:
    """A request whose only field to check is one identifier."""
    v = FieldViolations()
    v.require_id(value, field)
    v.raise_if_any("invalid request")
