"""Domain errors map to codes, reasons and BadRequest details in one place."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2

from services.common import errors
from services.common.status_mapping import describe, to_status_proto


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.ValidationError("bad"), grpc.StatusCode.INVALID_ARGUMENT),
        (errors.NotFoundError("gone"), grpc.StatusCode.NOT_FOUND),
        (errors.PermissionDenied("no"), grpc.StatusCode.PERMISSION_DENIED),
        (errors.UnauthenticatedError("who"), grpc.StatusCode.UNAUTHENTICATED),
        (errors.ConflictError("stale"), grpc.StatusCode.ABORTED),
        (errors.AlreadyExists("dup"), grpc.StatusCode.ALREADY_EXISTS),
        (errors.FailedPrecondition("state"), grpc.StatusCode.FAILED_PRECONDITION),
        (errors.UnavailableError("down"), grpc.StatusCode.UNAVAILABLE),
        (errors.ResourceExhausted("full"), grpc.StatusCode.RESOURCE_EXHAUSTED),
        (errors.DeadlineExceeded("late"), grpc.StatusCode.DEADLINE_EXCEEDED),
    ],
)
def test_each_domain_error_has_its_code(error: errors.TradeGuardError, code) -> None:
    described = describe(error)
    assert described.code is code
    assert described.message == error.message


def test_unknown_exception_is_internal_and_hides_message() -> None:
    described = describe(KeyError("secret-column"))
    assert described.code is grpc.StatusCode.INTERNAL
    assert "secret" not in described.message


def test_status_proto_carries_error_info_and_field_violations() -> None:
    error = errors.ValidationError.for_field("tenor_days", "must be between 1 and 3650")
    status = to_status_proto(error, "tradeguard.risk")
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
    assert status.details[0].Unpack(info) and status.details[1].Unpack(bad)
    assert (info.reason, info.domain) == ("INVALID_REQUEST", "tradeguard.risk")
    assert bad.field_violations[0].field == "tenor_days"


def test_custom_reason_and_metadata_reach_error_info() -> None:
    error = errors.ConflictError("version 3 expected", reason="STALE_VERSION", metadata={"v": "4"})
    status = to_status_proto(error, "tradeguard.aml")
    info = error_details_pb2.ErrorInfo()
    status.details[0].Unpack(info)
    assert info.reason == "STALE_VERSION" and dict(info.metadata) == {"v": "4"}
    assert len(status.details) == 1
