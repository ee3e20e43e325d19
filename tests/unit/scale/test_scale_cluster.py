"""Reaching a scheduler: an unreachable address is a clear error, not a hang."""

from __future__ import annotations

import socket

import pytest

from services.scale.cluster import ClusterUnavailableError, dask_client


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_scheduler_raises_a_cluster_error() -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(ClusterUnavailableError, match=address), dask_client(address, timeout_s=1):
        pass


def test_a_malformed_address_raises_a_cluster_error() -> None:
    with pytest.raises(ClusterUnavailableError), dask_client("nonsense://x", timeout_s=1):
        pass
