"""The client channel factory: token, request ids and service-config retries."""

from __future__ import annotations

import socket
import time

import grpc
import pytest

from services.common.auth import Role
from services.common.client import ChannelConfig, connect


def test_retries_unavailable_until_success(start_echo, tokens_file) -> None:
    echo = start_echo()
    echo.behaviour.flaky_failures_left = 2
    config = ChannelConfig(
        echo.target, token=tokens_file.tokens[Role.BANK], initial_backoff_seconds=0.05
    )
    with connect(config) as channel:
        flaky = channel.unary_unary("/tradeguard.testing.v1.Echo/Flaky")
        assert flaky(b"") == b"recovered"
    assert echo.behaviour.flaky_calls == 3


def test_gives_up_after_max_attempts(start_echo, tokens_file) -> None:
    echo = start_echo()
    echo.behaviour.flaky_failures_left = 5
    config = ChannelConfig(
        echo.target,
        token=tokens_file.tokens[Role.BANK],
        max_attempts=2,
        initial_backoff_seconds=0.05,
    )
    with connect(config) as channel, pytest.raises(grpc.RpcError) as err:
        channel.unary_unary("/tradeguard.testing.v1.Echo/Flaky")(b"")
    assert err.value.code() is grpc.StatusCode.UNAVAILABLE
    assert echo.behaviour.flaky_calls == 2


def test_other_codes_are_not_retried(start_echo, tokens_file) -> None:
    echo = start_echo()
    config = ChannelConfig(echo.target, token=tokens_file.tokens[Role.ADMIN])
    with connect(config) as channel, pytest.raises(grpc.RpcError) as err:
        channel.unary_unary("/tradeguard.testing.v1.Echo/Invalid")(b"")
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_token_travels_on_every_call_kind(start_echo, tokens_file) -> None:
    echo = start_echo()
    config = ChannelConfig(echo.target, token=tokens_file.tokens[Role.REGULATOR])
    with connect(config) as channel:
        assert channel.unary_unary("/tradeguard.testing.v1.Echo/WhoAmI")(b"") == (
            b"regulator-1:REGULATOR"
        )
        bidi = channel.stream_stream("/tradeguard.testing.v1.Echo/Bidi")
        assert list(bidi(iter([b"q"]))) == [b"Q"]


def test_default_deadline_applies_per_call(start_echo, tokens_file) -> None:
    echo = start_echo()
    config = ChannelConfig(echo.target, token=tokens_file.tokens[Role.BANK], timeout_seconds=0.3)
    with connect(config) as channel:
        # A quick call fits in a sub-second default deadline ...
        assert channel.unary_unary("/tradeguard.testing.v1.Echo/Echo")(b"x") == b"x"
        # ... a slow one runs out of it.
        with pytest.raises(grpc.RpcError) as err:
            channel.unary_unary("/tradeguard.testing.v1.Echo/Slow")(b"5000")
    assert err.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED


def test_a_server_that_comes_up_late_is_reached_within_a_second(start_echo, tokens_file) -> None:
    with socket.socket() as probe:  # a free port, with nothing listening on it yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = ChannelConfig(f"127.0.0.1:{port}", token=tokens_file.tokens[Role.REGULATOR])
    with connect(config) as channel:
        channel.subscribe(lambda _state: None, try_to_connect=True)
        # Six seconds of refused connects: grpc's own backoff would be 4+ s between attempts.
        time.sleep(6.0)
        start_echo(port=port)
        time.sleep(1.5)
        assert channel.unary_unary("/tradeguard.testing.v1.Echo/WhoAmI")(b"", timeout=0.5) == (
            b"regulator-1:REGULATOR"
        )
