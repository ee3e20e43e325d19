"""The one place that maps domain errors to gRPC statuses (google.rpc.Status rich errors)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.common import errors
from services.common.pipeline import ActiveCall

INTERNAL_MESSAGE = "internal error"

# Most specific first: the first isinstance match wins.
_CODES: tuple[tuple[type[errors.TradeGuardError], grpc.StatusCode], ...] = (
    (errors.ValidationError, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.NotFoundError, grpc.StatusCode.NOT_FOUND),
    (errors.PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    (errors.UnauthenticatedError, grpc.StatusCode.UNAUTHENTICATED),
    (errors.ConflictError, grpc.StatusCode.ABORTED),
    (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (errors.FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.UnavailableError, grpc.StatusCode.UNAVAILABLE),
    (errors.ResourceExhausted, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (errors.DeadlineExceeded, grpc.StatusCode.DEADLINE_EXCEEDED),
)


@dataclass(frozen=True)
class ErrorDescription:
    """What a client is told about a failure; also used for per-item errors inside streams."""

    code: grpc.StatusCode
    message: str
    reason: str
    field_violations: tuple[errors.FieldViolation, ...] = ()


def code_for(error: BaseException) -> grpc.StatusCode:
    """The status code for ``error``; anything outside the hierarchy is INTERNAL."""
    for error_type, code in _CODES:
        if isinstance(error, error_type):
            return code
    return grpc.StatusCode.INTERNAL


def describe(error: BaseException) -> ErrorDescription:
    """Pure mapping of an exception to what the client may see; internals are never exposed."""
    if not isinstance(error, errors.TradeGuardError):
        return ErrorDescription(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE, "INTERNAL")
    violations: tuple[errors.FieldViolation, ...] = ()
    if isinstance(error, errors.ValidationError):
        violations = tuple(error.field_violations)
    return ErrorDescription(code_for(error), error.message, error.reason, violations)


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def to_status_proto(error: BaseException, domain: str) -> status_pb2.Status:
    """A google.rpc.Status with ErrorInfo (and BadRequest when fields are invalid)."""
    described = describe(error)
    metadata = error.metadata if isinstance(error, errors.TradeGuardError) else {}
    info = error_details_pb2.ErrorInfo(reason=described.reason, domain=domain, metadata=metadata)
    details = [_pack(info)]
    if described.field_violations:
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=v.field, description=v.description
                )
                for v in described.field_violations
            ]
        )
        details.append(_pack(bad_request))
    return status_pb2.Status(
        code=described.code.value[0], message=described.message, details=details
    )


def to_grpc_status(error: BaseException, domain: str) -> grpc.Status:
    """The status object ``ServicerContext.abort_with_status`` expects."""
    return rpc_status.to_status(to_status_proto(error, domain))  # type: ignore[no-any-return]


def abort_with_error(context: grpc.ServicerContext, error: BaseException, domain: str) -> NoReturn:
    """End the call with the rich status for ``error`` (raises, like ``context.abort``)."""
    context.abort_with_status(to_grpc_status(error, domain))
    raise AssertionError("abort_with_status returned")  # pragma: no cover - grpc always raises


class ErrorMappingStage:
    """Turns exceptions from inner stages and handlers into rich statuses.

    Domain errors keep their message; anything else is logged with its trace and answered as
    INTERNAL "internal error", so stack details never reach the client.
    """

    def __init__(self, domain: str, logger: logging.Logger | None = None) -> None:
        self.domain = domain
        self._logger = logger or logging.getLogger("services.common")

    def enter(self, call: ActiveCall) -> None:
        return None

    def exit(self, call: ActiveCall, error: BaseException | None) -> None:
        if error is None or not isinstance(error, Exception):
            return  # success, or GeneratorExit / KeyboardInterrupt: nothing to answer
        if isinstance(error, errors.TradeGuardError):
            abort_with_error(call.context, error, self.domain)
        if _already_aborted(call.context):
            return
        self._logger.error(
            "unhandled exception", exc_info=error, extra={"method": call.info.full_method}
        )
        abort_with_error(call.context, error, self.domain)


def _already_aborted(context: grpc.ServicerContext) -> bool:
    """``context.abort`` raises a bare Exception after setting the code; let it through."""
    code = context.code()  # type: ignore[func-returns-value]
    return isinstance(code, grpc.StatusCode) and code is not grpc.StatusCode.OK
