"""What a failed call to risk or aml means for finance's own caller.

A dependency that refuses the caller's own input (INVALID_ARGUMENT, OUT_OF_RANGE,
FAILED_PRECONDITION) answers the caller with the matching client error, its field violations
renamed to the caller's fields: retrying cannot help, and a fallback must not hide it (a party
whose name aml refuses is never quoted as "not screened"). A dependency that is busy answers
RESOURCE_EXHAUSTED (back off). Anything else (down, slow, refusing finance's own credentials)
is UnavailableError, which the caller may answer with a flagged fallback.
"""

from __future__ import annotations

from collections.abc import Mapping

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.common.errors import (
    FailedPrecondition,
    FieldViolation,
    ResourceExhausted,
    TradeGuardError,
    UnavailableError,
    ValidationError,
)

_INVALID = frozenset({grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.OUT_OF_RANGE})


def dependency_error(
    dependency: str, error: Exception, fields: Mapping[str, str]
) -> TradeGuardError:
    """The error finance raises for ``error`` from ``dependency``; ``fields`` maps the
    dependency's request fields to the caller's (``name`` -> ``buyer.name``)."""
    code_of, details_of = getattr(error, "code", None), getattr(error, "details", None)
    code = code_of() if callable(code_of) else grpc.StatusCode.UNKNOWN
    details = (details_of() if callable(details_of) else "") or code.name
    metadata = {"dependency": dependency, "code": code.name}
    if code in _INVALID:
        return ValidationError(
            f"{dependency} refused the request: {details}",
            _renamed(error, fields),
            reason=f"{dependency.upper()}_REJECTED_INPUT",
            metadata=metadata,
        )
    if code is grpc.StatusCode.FAILED_PRECONDITION:
        return FailedPrecondition(f"{dependency}: {details}", metadata=metadata)
    if code is grpc.StatusCode.RESOURCE_EXHAUSTED:
        return ResourceExhausted(f"{dependency} is busy: {details}", metadata=metadata)
    return _unavailable(dependency, code)


def timed_out(dependency: str) -> UnavailableError:
    """What a call to ``dependency`` that ran out of its deadline raises."""
    return _unavailable(dependency, grpc.StatusCode.DEADLINE_EXCEEDED)


def _unavailable(dependency: str, code: grpc.StatusCode) -> UnavailableError:
    return UnavailableError(
        f"{dependency} service unavailable ({code.name})",
        reason=f"{dependency.upper()}_UNAVAILABLE",
        metadata={"dependency": dependency, "code": code.name},
    )


def _renamed(error: Exception, fields: Mapping[str, str]) -> list[FieldViolation]:
    """The dependency's field violations on the caller's field names (unmapped ones dropped:
    they name nothing the caller sent)."""
    status = rpc_status.from_call(error) if isinstance(error, grpc.Call) else None
    if status is None:
        return []
    found = []
    for detail in status.details:
        bad_request = error_details_pb2.BadRequest()
        if not detail.Unpack(bad_request):
            continue
        for violation in bad_request.field_violations:
            field = fields.get(violation.field)
            if field is not None:
                found.append(FieldViolation(field, violation.description))
    return found
