"""Features on a LocalCluster of two worker processes equal the local path's."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from distributed import Client
from polars.testing import assert_frame_equal

from services.scale.cluster import worker_addresses
from services.scale.features import dask_features, dask_features_at
from services.tradedata.features import compute_features, compute_features_at
from services.tradedata.loading import TradeDataset

TOLERANCE = {"check_exact": False, "rel_tol": 1e-9, "abs_tol": 1e-9}


def test_the_cluster_has_two_worker_processes(client: Client) -> None:
    workers = worker_addresses(client)
    assert len(workers) == 2
    assert len({client.run(lambda: __import__("os").getpid())[w] for w in workers}) == 2


@pytest.mark.parametrize("partitions", [None, 5])
def test_features_as_of_equal_the_local_path(
    client: Client, trade: TradeDataset, partitions: int | None
) -> None:
    local = compute_features(trade, "2024-09-15").collect()
    remote = dask_features(client, trade, "2024-09-15", partitions=partitions)
    assert_frame_equal(remote, local, **TOLERANCE)


def test_workers_reading_the_directory_equal_the_local_path(
    client: Client, trade: TradeDataset, trade_dir: Path
) -> None:
    local = compute_features(trade, "2024-09-15").collect()
    remote = dask_features(client, trade_dir, "2024-09-15", partitions=3)
    assert_frame_equal(remote, local, **TOLERANCE)


@pytest.mark.parametrize("from_files", [False, True])
def test_point_in_time_features_equal_the_local_path(
    client: Client, trade: TradeDataset, trade_dir: Path, from_files: bool
) -> None:
    points = trade.financings.select(
        "enterprise_id", pl.col("disbursed_at").alias("as_of")
    ).collect()
    local = compute_features_at(trade, points).collect()
    remote = dask_features_at(client, trade_dir if from_files else trade, points)
    assert remote.height == points.unique().height
    assert_frame_equal(remote, local, **TOLERANCE)


def test_points_for_a_few_enterprises_leave_partitions_idle(
    client: Client, trade: TradeDataset
) -> None:
    points = trade.enterprises.head(2).select("enterprise_id", pl.lit("2024-06-01").alias("as_of"))
    points = points.with_columns(pl.col("as_of").str.to_date()).collect()
    local = compute_features_at(trade, points).collect()
    assert_frame_equal(dask_features_at(client, trade, points, partitions=8), local, **TOLERANCE)


def test_no_points_give_an_empty_table_with_the_local_columns(
    client: Client, trade: TradeDataset
) -> None:
    points = trade.financings.select("enterprise_id", pl.col("disbursed_at").alias("as_of"))
    none = points.head(0).collect()
    local = compute_features_at(trade, none).collect()
    assert_frame_equal(dask_features_at(client, trade, none), local)
