"""Rich error statuses: field violations for bad input, nothing leaked for crashes."""

from __future__ import annotations

import logging

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.common.auth import Role


def _details(error: grpc.RpcError) -> dict[str, object]:
    status = rpc_status.from_call(error)
    assert status is not None
    found: dict[str, object] = {}
    for detail in status.details:
        for kind in (error_details_pb2.BadRequest, error_details_pb2.ErrorInfo):
            if detail.Is(kind.DESCRIPTOR):
                message = kind()
                detail.Unpack(message)
                found[kind.DESCRIPTOR.name] = message
    return found


def test_validation_error_is_invalid_argument_with_field_violations(
    start_echo, tokens_file
) -> None:
    echo = start_echo()
    with pytest.raises(grpc.RpcError) as err:
        echo.unary("Invalid")(b"", metadata=tokens_file.metadata(Role.BANK), timeout=5)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    details = _details(err.value)
    bad_request = details["BadRequest"]
    assert isinstance(bad_request, error_details_pb2.BadRequest)
    assert [(v.field, v.description) for v in bad_request.field_violations] == [
        ("amount.units", "must be positive"),
        ("buyer.country_code", "must be ISO 3166-1 alpha-2"),
    ]
    info = details["ErrorInfo"]
    assert isinstance(info, error_details_pb2.ErrorInfo)
    assert (info.reason, info.domain) == ("INVALID_REQUEST", "tradeguard.testing")


def test_unexpected_exception_is_internal_without_leaking(
    start_echo, tokens_file, caplog: pytest.LogCaptureFixture
) -> None:
    echo = start_echo()
    with caplog.at_level(logging.ERROR, logger="services.common"):
        with pytest.raises(grpc.RpcError) as err:
            echo.unary("Crash")(b"", metadata=tokens_file.metadata(Role.BANK), timeout=5)
    assert err.value.code() is grpc.StatusCode.INTERNAL
    assert err.value.details() == "internal error"
    assert "hunter2" not in str(err.value)
    assert any("hunter2" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_unauthenticated_carries_error_info(start_echo) -> None:
    echo = start_echo()
    with pytest.raises(grpc.RpcError) as err:
        echo.unary("Echo")(b"", timeout=5)
    info = _details(err.value)["ErrorInfo"]
    assert isinstance(info, error_details_pb2.ErrorInfo)
    assert info.reason == "MISSING_TOKEN"
