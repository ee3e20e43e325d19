"""The enterprise feature table computed on a Dask cluster.

The driver assigns enterprises to partitions (see ``partition``); each worker runs the local
feature functions (``compute_features`` / ``compute_features_at``) on its partitions, and the
driver puts the rows back in the order the local path returns them.

A source is either a loaded ``TradeDataset``, whose partitions the driver sends to the workers,
or a data directory every worker can read (a shared volume), in which case only enterprise ids
travel and each worker scans the columns and rows of its own partitions. A directory is read
as trusted: validate it once with ``load_dataset`` before (``tradeguard features`` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from services.scale.cluster import dask_client, worker_addresses
from services.scale.partition import (
    Partition,
    as_dataset,
    assign,
    members,
    partition_view,
    split_dataset,
    split_points,
)
from services.tradedata.features import compute_features, compute_features_at
from services.tradedata.features.windows import KEYS, normalise_points, to_timestamp
from services.tradedata.loading import TradeDataset, load_dataset

if TYPE_CHECKING:
    from distributed import Client

AsOf = date | datetime | str
Request = AsOf | pl.DataFrame
Source = TradeDataset | str | Path
ORDER = "_order"


@dataclass(frozen=True, slots=True)
class FilePartition:
    """A partition a worker reads itself: the data directory and the enterprises it holds."""

    data_dir: str
    enterprise_ids: list[str]

    def dataset(self) -> TradeDataset:
        # Validation is the caller's one step on the driver (the CLI does it), not each worker's.
        return partition_view(load_dataset(self.data_dir, validate=False), self.enterprise_ids)


def features_of_partition(part: Partition | FilePartition, request: Request) -> pl.DataFrame:
    """Runs on a worker: the local feature functions over one partition."""
    ds = part.dataset() if isinstance(part, FilePartition) else as_dataset(part)
    if isinstance(request, pl.DataFrame):
        return compute_features_at(ds, request).collect()
    return compute_features(ds, request).collect()


def _driver_view(source: Source) -> TradeDataset:
    return source if isinstance(source, TradeDataset) else load_dataset(source, validate=False)


def _partitions(
    source: Source, ds: TradeDataset, assignment: pl.DataFrame, n: int
) -> Sequence[Partition | FilePartition]:
    if isinstance(source, TradeDataset):
        return split_dataset(ds, assignment, n)
    # Absolute, since workers elsewhere do not share the driver's working directory.
    where = str(Path(source).resolve())
    return [FilePartition(where, ids) for ids in members(assignment, n)]


def _run(
    client: Client, parts: Sequence[Partition | FilePartition], requests: list[Request]
) -> list[pl.DataFrame]:
    # Scatter first so each partition travels to one worker once, not inside the task graph.
    futures = client.scatter(parts, hash=False)
    tasks = client.map(features_of_partition, futures, requests, pure=False)
    results: list[pl.DataFrame] = client.gather(tasks)
    return results


def _in_local_order(results: list[pl.DataFrame], wanted: pl.DataFrame) -> pl.DataFrame:
    order = wanted.select(*KEYS).with_row_index(ORDER)
    found = sum(frame.height for frame in results)
    if found != order.height:
        raise RuntimeError(f"workers returned {found} feature rows for {order.height} points")
    table = pl.concat(results, how="vertical")
    return table.join(order, on=list(KEYS), how="inner").sort(ORDER).drop(ORDER)


def _assignment(ds: TradeDataset, wanted: pl.DataFrame, n: int) -> pl.DataFrame:
    known = ds.enterprises.select("enterprise_id").collect().get_column("enterprise_id")
    return assign(pl.concat([known, wanted.get_column("enterprise_id")]), n)


def _compute(
    client: Client, source: Source, wanted: pl.DataFrame, whole: AsOf | None, n: int | None
) -> pl.DataFrame:
    """Features at ``wanted``; ``whole`` asks each worker for every enterprise as of it."""
    ds = _driver_view(source)
    count = n if n is not None else max(1, len(worker_addresses(client)))
    assignment = _assignment(ds, wanted, count)
    points = split_points(wanted, assignment, count)
    busy = [k for k in range(count) if points[k].height]
    if not busy:
        # No points: the local functions on empty tables still give the columns and types.
        return features_of_partition({}, wanted)
    parts = _partitions(source, ds, assignment, count)
    requests: list[Request] = [points[k] if whole is None else whole for k in busy]
    chosen = [parts[k] for k in busy]
    return _in_local_order(_run(client, chosen, requests), wanted)


def dask_features(
    client: Client, source: Source, as_of: AsOf, *, partitions: int | None = None
) -> pl.DataFrame:
    """``compute_features(ds, as_of).collect()``, computed on the cluster."""
    moment = to_timestamp(as_of)
    everyone = _driver_view(source).enterprises.select(
        "enterprise_id", pl.lit(moment).alias("as_of")
    )
    return _compute(client, source, normalise_points(everyone), moment, partitions)


def dask_features_at(
    client: Client,
    source: Source,
    points: pl.DataFrame | pl.LazyFrame,
    *,
    partitions: int | None = None,
) -> pl.DataFrame:
    """``compute_features_at(ds, points).collect()``, computed on the cluster."""
    return _compute(client, source, normalise_points(points), None, partitions)


def features_on_scheduler(scheduler: str, source: Source, request: Request) -> pl.DataFrame:
    """The feature table on ``scheduler`` (an address, or ``local``): at each point of a
    points frame, or as of one moment for every enterprise."""
    with dask_client(scheduler) as client:
        if isinstance(request, pl.DataFrame):
            return dask_features_at(client, source, request)
        return dask_features(client, source, request)
