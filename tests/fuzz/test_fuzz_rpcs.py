"""Every RPC of the three services, fed generated requests (hypothesis over the proto
descriptors) and bytes that decode as nothing: the answer is always a definite status, never
UNKNOWN or INTERNAL. ``TRADEGUARD_FUZZ_EXAMPLES`` sets the cases per RPC (``make fuzz`` runs
many more than ``make test``)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.descriptor import MethodDescriptor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services._proto.tradeguard.aml.v1 import aml_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2
from services.aml.api.server import METHOD_ROLES as AML_ROLES
from services.common.tokens import Role
from services.finance.api.server import METHOD_ROLES as FINANCE_ROLES
from services.risk.api.server import METHOD_ROLES as RISK_ROLES
from tests.fuzz.proto_strategies import UNDECODABLE, messages
from tests.integration.finance.conftest import Stack

EXAMPLES = int(os.environ.get("TRADEGUARD_FUZZ_EXAMPLES", "300"))
ROLES = {**RISK_ROLES, **AML_ROLES, **FINANCE_ROLES}
#: The caller used for a method: the first role in this order that may call it.
CALLERS = (
    (Role.BANK, "bank-1"),
    (Role.REGULATOR, "regulator-1"),
    (Role.INSURER, "insurer-1"),
    (Role.ADMIN, "admin-1"),
    (Role.SERVICE, "finance-svc"),
)
NOT_ALLOWED = (grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL)


def _methods() -> list[tuple[str, MethodDescriptor]]:
    found = []
    for module, service in (
        (risk_pb2, "RiskScoring"),
        (aml_pb2, "AmlMonitoring"),
        (finance_pb2, "CreditInsurance"),
    ):
        for method in module.DESCRIPTOR.services_by_name[service].methods:
            found.append((service, method))
    return found


METHODS = _methods()


def _caller(path: str) -> str:
    allowed = ROLES[path]
    return next(who for role, who in CALLERS if role in allowed)


def _port(stack: Stack, service: str) -> int:
    if service == "RiskScoring":
        return stack.risk.server.port
    if service == "AmlMonitoring":
        return stack.aml.port
    return stack.finance.server.port


def _encoded(method: MethodDescriptor) -> st.SearchStrategy[bytes]:
    """One request in ten is bytes that are not a message; the rest are generated messages."""
    generated = messages(method.input_type).map(lambda m: m.SerializeToString())
    return st.integers(0, 9).flatmap(lambda pick: UNDECODABLE if pick == 0 else generated)


def _code(call: Iterator[bytes] | bytes) -> grpc.StatusCode:
    try:
        if not isinstance(call, bytes):
            for _ in call:
                pass
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


@pytest.fixture(scope="module")
def channels(services_stack: Stack) -> Iterator[dict[str, grpc.Channel]]:
    opened = {
        name: grpc.insecure_channel(f"127.0.0.1:{_port(services_stack, name)}")
        for name in ("RiskScoring", "AmlMonitoring", "CreditInsurance")
    }
    yield opened
    for channel in opened.values():
        channel.close()


@pytest.mark.parametrize(("service", "method"), METHODS, ids=[f"{s}.{m.name}" for s, m in METHODS])
def test_no_request_gets_unknown_or_internal(
    services_stack: Stack,
    channels: dict[str, grpc.Channel],
    service: str,
    method: MethodDescriptor,
) -> None:
    path = f"/{method.containing_service.full_name}/{method.name}"
    metadata = services_stack.tokens.md(_caller(path))
    channel = channels[service]
    if method.client_streaming:
        stream = channel.stream_stream(path) if method.server_streaming else None
        unary = None if stream else channel.stream_unary(path)
        cases = st.lists(_encoded(method), min_size=1, max_size=3)
    else:
        stream = channel.unary_stream(path) if method.server_streaming else None
        unary = None if stream else channel.unary_unary(path)
        cases = _encoded(method)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def one_case(case: bytes | list[bytes]) -> None:
        request = iter(case) if isinstance(case, list) else case
        try:
            if stream is not None:
                code = _code(stream(request, metadata=metadata, timeout=20))
            else:
                assert unary is not None
                unary(request, metadata=metadata, timeout=20)
                code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            code = error.code()
        assert code not in NOT_ALLOWED, (path, code)

    one_case()
