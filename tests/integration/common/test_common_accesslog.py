"""One structured JSON access-log line per call."""

from __future__ import annotations

import io
import json
import logging

import grpc
import pytest

from services.common.auth import Role
from services.common.logging import ACCESS_LOGGER, JsonFormatter


@pytest.fixture
def access_lines() -> io.StringIO:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(ACCESS_LOGGER)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield buffer
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_access_log_line_has_request_id_principal_code_latency(
    start_echo, tokens_file, access_lines: io.StringIO
) -> None:
    echo = start_echo()
    meta = (*tokens_file.metadata(Role.INSURER), ("x-request-id", "req-42"))
    echo.unary("Echo")(b"hi", metadata=meta, timeout=5)
    with pytest.raises(grpc.RpcError):
        echo.unary("Invalid")(b"", metadata=meta, timeout=5)
    echo.managed.stop(0)
    lines = [json.loads(line) for line in access_lines.getvalue().splitlines()]
    by_method = {line["method"]: line for line in lines}
    ok = by_method["/tradeguard.testing.v1.Echo/Echo"]
    assert ok["request_id"] == "req-42"
    assert (ok["tenant"], ok["role"], ok["code"]) == ("insurer-1", "INSURER", "OK")
    assert ok["latency_ms"] >= 0 and ok["msg"] == "rpc"
    assert by_method["/tradeguard.testing.v1.Echo/Invalid"]["code"] == "INVALID_ARGUMENT"
