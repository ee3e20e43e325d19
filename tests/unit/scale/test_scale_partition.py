"""Enterprise partitions: complete, disjoint, and giving the whole data set's features."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from services.scale.features import FilePartition, features_of_partition
from services.scale.partition import (
    Partition,
    as_dataset,
    assign,
    members,
    split_dataset,
    split_points,
)
from services.tradedata.features import compute_features, compute_features_at
from services.tradedata.features.windows import normalise_points, to_timestamp
from services.tradedata.loading import TradeDataset

AS_OF = "2024-10-01"


def _assignment(trade: TradeDataset, n: int) -> pl.DataFrame:
    return assign(trade.enterprises.collect().get_column("enterprise_id"), n)


def _split(trade: TradeDataset, n: int) -> list[Partition]:
    return split_dataset(trade, _assignment(trade, n), n)


def _ids(parts: list[Partition], table: str, key: str) -> list[set[str]]:
    return [set(part[table].get_column(key).to_list()) for part in parts]


def test_every_enterprise_lands_in_exactly_one_partition(trade: TradeDataset) -> None:
    parts = _split(trade, 3)
    owned = _ids(parts, "enterprises", "enterprise_id")
    everyone = set(trade.enterprises.collect().get_column("enterprise_id").to_list())
    assert set().union(*owned) == everyone
    assert sum(len(ids) for ids in owned) == len(everyone)
    assert all(owned), "a 300-enterprise set should fill three partitions"


@pytest.mark.parametrize("table", ["orders", "financings"])
def test_enterprise_rows_follow_their_enterprise(trade: TradeDataset, table: str) -> None:
    parts = _split(trade, 3)
    for part in parts:
        owners = set(part["enterprises"].get_column("enterprise_id").to_list())
        assert set(part[table].get_column("enterprise_id").to_list()) <= owners
    total = sum(part[table].height for part in parts)
    assert total == trade.table(table).collect().height


@pytest.mark.parametrize("table", ["payments", "waybills", "declarations"])
def test_order_documents_follow_their_order(trade: TradeDataset, table: str) -> None:
    parts = _split(trade, 3)
    for part in parts:
        orders = set(part["orders"].get_column("order_id").to_list())
        assert set(part[table].get_column("order_id").to_list()) <= orders
    assert sum(part[table].height for part in parts) == trade.table(table).collect().height


def test_each_partition_carries_the_buyers_its_orders_name(trade: TradeDataset) -> None:
    for part in _split(trade, 3):
        named = set(part["orders"].get_column("buyer_id").to_list())
        assert set(part["buyers"].get_column("buyer_id").to_list()) == named


def test_points_go_where_their_enterprise_went(trade: TradeDataset) -> None:
    points = normalise_points(
        trade.financings.select("enterprise_id", pl.col("disbursed_at").alias("as_of"))
    )
    parts = _split(trade, 4)
    for part, pts in zip(parts, split_points(points, _assignment(trade, 4), 4), strict=True):
        owners = set(part["enterprises"].get_column("enterprise_id").to_list())
        assert set(pts.get_column("enterprise_id").to_list()) <= owners
    assert sum(p.height for p in split_points(points, _assignment(trade, 4), 4)) == points.height


def test_partition_features_equal_the_whole_data_set(trade: TradeDataset) -> None:
    whole = compute_features(trade, AS_OF).collect()
    pieces = [features_of_partition(part, to_timestamp(AS_OF)) for part in _split(trade, 3)]
    joined = pl.concat(pieces).sort("enterprise_id")
    assert_frame_equal(joined, whole.sort("enterprise_id"), check_exact=False, rel_tol=1e-9)


def test_partition_point_features_equal_the_whole_data_set(trade: TradeDataset) -> None:
    points = trade.financings.select("enterprise_id", pl.col("disbursed_at").alias("as_of"))
    whole = compute_features_at(trade, points).collect()
    wanted = normalise_points(points)
    groups = split_points(wanted, _assignment(trade, 3), 3)
    pieces = [
        features_of_partition(part, pts) for part, pts in zip(_split(trade, 3), groups, strict=True)
    ]
    keys = ["enterprise_id", "as_of"]
    joined = pl.concat(pieces).sort(keys)
    assert_frame_equal(joined, whole.sort(keys), check_exact=False, rel_tol=1e-9)


def test_tables_the_features_do_not_read_are_empty_with_their_schema(
    trade: TradeDataset,
) -> None:
    ds = as_dataset(_split(trade, 2)[0])
    assert ds.watchlist.collect().height == 0
    assert ds.relations.collect_schema() == trade.relations.collect_schema()


def test_zero_partitions_is_refused(trade: TradeDataset) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        _assignment(trade, 0)


def test_assignment_is_balanced_and_independent_of_input_order() -> None:
    ids = pl.Series([f"E{i:04d}" for i in range(10)])
    forward, backward = assign(ids, 3), assign(ids.reverse(), 3)
    assert forward.equals(backward)
    assert sorted(len(group) for group in members(forward, 3)) == [3, 3, 4]


def test_a_worker_reading_the_files_gets_the_same_features(
    trade: TradeDataset, trade_dir: Path
) -> None:
    whole = compute_features(trade, AS_OF).collect()
    groups = members(_assignment(trade, 2), 2)
    pieces = [
        features_of_partition(FilePartition(str(trade_dir), ids), to_timestamp(AS_OF))
        for ids in groups
    ]
    assert [p.height for p in pieces] == [len(ids) for ids in groups]
    joined = pl.concat(pieces).sort("enterprise_id")
    assert_frame_equal(joined, whole.sort("enterprise_id"), check_exact=False, rel_tol=1e-9)
