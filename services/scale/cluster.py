"""Connecting to a Dask cluster: a scheduler address, or ``local`` for a cluster of worker
processes on this machine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client

LOCAL = "local"
LOCAL_WORKERS = 2
CONNECT_TIMEOUT_S = 10.0


class ClusterUnavailableError(RuntimeError):
    """The scheduler could not be reached."""


@contextmanager
def _local(workers: int) -> Iterator[Client]:
    from distributed import Client, LocalCluster

    # Single-threaded workers: polars and LightGBM bring their own threads.
    with (
        LocalCluster(
            n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _connect(scheduler: str, timeout_s: float) -> Client:
    from distributed import Client

    try:
        return Client(scheduler, timeout=timeout_s)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterUnavailableError(f"cannot reach Dask scheduler {scheduler}: {exc}") from exc


@contextmanager
def dask_client(
    scheduler: str, *, workers: int = LOCAL_WORKERS, timeout_s: float = CONNECT_TIMEOUT_S
) -> Iterator[Client]:
    """A client for ``scheduler`` (e.g. ``tcp://10.0.0.5:8786``); ``local`` starts a
    ``LocalCluster`` of ``workers`` single-threaded processes and stops it on exit."""
    if scheduler == LOCAL:
        with _local(workers) as client:
            yield client
        return
    with _connect(scheduler, timeout_s) as client:
        yield client


def worker_addresses(client: Client) -> list[str]:
    """Addresses of the cluster's workers, sorted so placement is reproducible."""
    return sorted(client.nthreads())
