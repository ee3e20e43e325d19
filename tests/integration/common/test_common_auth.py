"""Bearer-token authentication and role checks through a real server."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from services.common.auth import Role


def _code(call, metadata=None) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as err:
        call(b"hi", metadata=metadata, timeout=5)
    return err.value.code()


def test_missing_token_is_unauthenticated(start_echo) -> None:
    echo = start_echo()
    assert _code(echo.unary("Echo")) is grpc.StatusCode.UNAUTHENTICATED


def test_malformed_and_unknown_tokens_are_unauthenticated(start_echo) -> None:
    echo = start_echo()
    call = echo.unary("Echo")
    assert _code(call, (("authorization", "Basic abc"),)) is grpc.StatusCode.UNAUTHENTICATED
    assert _code(call, (("authorization", "Bearer nope"),)) is grpc.StatusCode.UNAUTHENTICATED


def test_revoked_token_is_refused_without_restart(start_echo, tokens_file) -> None:
    echo = start_echo()
    meta = tokens_file.metadata(Role.BANK)
    assert echo.unary("Echo")(b"hi", metadata=meta, timeout=5) == b"hi"
    tokens_file.store.revoke(tokens_file.token_ids[Role.BANK])
    assert _code(echo.unary("Echo"), meta) is grpc.StatusCode.UNAUTHENTICATED


def test_token_issued_after_start_is_accepted(start_echo, tokens_file) -> None:
    echo = start_echo()
    token, _ = tokens_file.store.issue("late-bank", Role.BANK)
    meta = (("authorization", f"Bearer {token}"),)
    assert echo.unary("WhoAmI")(b"", metadata=meta, timeout=5) == b"late-bank:BANK"


def test_wrong_role_is_permission_denied_with_reason(start_echo, tokens_file) -> None:
    echo = start_echo()
    with pytest.raises(grpc.RpcError) as err:
        echo.unary("AdminOnly")(b"x", metadata=tokens_file.metadata(Role.BANK), timeout=5)
    assert err.value.code() is grpc.StatusCode.PERMISSION_DENIED
    status = rpc_status.from_call(err.value)
    assert status is not None
    admin = tokens_file.metadata(Role.ADMIN)
    assert echo.unary("AdminOnly")(b"x", metadata=admin, timeout=5) == b"x"


def test_method_missing_from_role_map_is_denied_even_for_admin(start_echo, tokens_file) -> None:
    echo = start_echo()
    meta = tokens_file.metadata(Role.ADMIN)
    assert _code(echo.unary("Unlisted"), meta) is grpc.StatusCode.PERMISSION_DENIED


def test_handler_sees_the_principal(start_echo, tokens_file) -> None:
    echo = start_echo()
    for role in Role:
        answer = echo.unary("WhoAmI")(b"", metadata=tokens_file.metadata(role), timeout=5)
        assert answer == f"{role.value.lower()}-1:{role.value}".encode()


def test_health_needs_no_token(start_echo) -> None:
    echo = start_echo()
    stub = health_pb2_grpc.HealthStub(echo.channel)
    reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
