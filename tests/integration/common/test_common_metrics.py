"""RPC metrics scraped over HTTP match the calls made."""

from __future__ import annotations

import urllib.request

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.common.auth import Role

ECHO = "tradeguard.testing.v1.Echo"


def _scrape(port: int) -> dict[str, list]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def _value(samples: list, name: str, **labels: str) -> float:
    return sum(
        s.value
        for s in samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_scraped_counts_match_calls_by_code(start_echo, tokens_file) -> None:
    echo = start_echo()
    meta = tokens_file.metadata(Role.BANK)
    for _ in range(5):
        echo.unary("Echo")(b"hi", metadata=meta, timeout=5)
    for _ in range(3):
        with pytest.raises(grpc.RpcError):
            echo.unary("Invalid")(b"", metadata=meta, timeout=5)
    with pytest.raises(grpc.RpcError):
        echo.unary("Echo")(b"", timeout=5)
    families = _scrape(echo.managed.metrics_port)
    started = families["grpc_server_started"]
    handled = families["grpc_server_handled"]
    assert _value(started, "grpc_server_started_total", grpc_method="Echo") == 6
    assert _value(started, "grpc_server_started_total", grpc_method="Invalid") == 3
    echo_ok = {"grpc_service": ECHO, "grpc_method": "Echo", "grpc_type": "UNARY"}
    assert _value(handled, "grpc_server_handled_total", grpc_code="OK", **echo_ok) == 5
    assert _value(handled, "grpc_server_handled_total", grpc_code="UNAUTHENTICATED", **echo_ok) == 1
    assert (
        _value(
            handled,
            "grpc_server_handled_total",
            grpc_method="Invalid",
            grpc_code="INVALID_ARGUMENT",
        )
        == 3
    )
    seconds = families["grpc_server_handling_seconds"]
    assert _value(seconds, "grpc_server_handling_seconds_count", grpc_method="Echo") == 6


def test_stream_message_counters(start_echo, tokens_file) -> None:
    echo = start_echo()
    meta = tokens_file.metadata(Role.BANK)
    bidi = echo.channel.stream_stream(f"/{ECHO}/Bidi")
    assert len(list(bidi(iter([b"a", b"b", b"c"]), metadata=meta, timeout=5))) == 3
    families = _scrape(echo.managed.metrics_port)
    labels = {"grpc_method": "Bidi", "grpc_type": "BIDI_STREAM"}
    received = families["grpc_server_msg_received"]
    sent = families["grpc_server_msg_sent"]
    assert _value(received, "grpc_server_msg_received_total", **labels) == 3
    assert _value(sent, "grpc_server_msg_sent_total", **labels) == 3
    handled = families["grpc_server_handled"]
    assert _value(handled, "grpc_server_handled_total", grpc_code="OK", **labels) == 1
