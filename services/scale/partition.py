"""Splitting a trade data set into enterprise partitions.

An enterprise's features read only its own enterprise, order and financing rows, the payments
and documents of those orders and the buyers it sells to; the references they compare with
(FX rates, the HS market-price catalogue, country risk categories) are constants in code, not
statistics of the data set. So the features of a partition that holds those rows are exactly
the features the whole data set gives for its enterprises.

The driver assigns enterprises to partitions (sorted ids dealt round-robin: reproducible on any
machine and library version, and balanced); a partition then travels either as data
(``split_dataset``) or as its list of enterprise ids for a worker that reads the files itself
(``partition_view``).
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from services.tradedata.loading import TradeDataset
from services.tradedata.schemas import TABLES

PART = "_part"
BY_ENTERPRISE = ("enterprises", "orders", "financings")
BY_ORDER = ("payments", "waybills", "declarations")

Partition = dict[str, pl.DataFrame]


def assign(enterprise_ids: pl.Series, n: int) -> pl.DataFrame:
    """``enterprise_id`` -> partition number ``_part`` in ``0..n-1``."""
    if n < 1:
        raise ValueError(f"partitions must be at least 1, got {n}")
    ids = enterprise_ids.drop_nulls().unique().sort()
    return pl.DataFrame({"enterprise_id": ids, PART: pl.int_range(len(ids), eager=True) % n})


def members(assignment: pl.DataFrame, n: int) -> list[list[str]]:
    """The enterprise ids of each partition."""
    return [
        assignment.filter(pl.col(PART) == k).get_column("enterprise_id").to_list() for k in range(n)
    ]


def _pieces(frame: pl.DataFrame, n: int) -> list[pl.DataFrame]:
    groups = frame.partition_by(PART, as_dict=True, include_key=False)
    empty = frame.clear().drop(PART)
    return [groups.get((k,), empty) for k in range(n)]


def _tagged(ds: TradeDataset, assignment: pl.DataFrame) -> dict[str, pl.DataFrame]:
    tag = assignment.lazy()
    tagged = {
        name: ds.table(name).join(tag, on="enterprise_id", how="inner", maintain_order="left")
        for name in BY_ENTERPRISE
    }
    owner = tagged["orders"].select("order_id", PART)
    for name in BY_ORDER:
        tagged[name] = ds.table(name).join(owner, on="order_id", how="inner", maintain_order="left")
    return dict(zip(tagged, pl.collect_all(tagged.values()), strict=True))


def split_dataset(ds: TradeDataset, assignment: pl.DataFrame, n: int) -> list[Partition]:
    """``n`` in-memory partitions of the tables the features read, each with the buyers its
    orders name."""
    pieces = {name: _pieces(frame, n) for name, frame in _tagged(ds, assignment).items()}
    buyers = ds.buyers.collect()
    parts: list[Partition] = []
    for k in range(n):
        part = {name: pieces[name][k] for name in pieces}
        sold_to = part["orders"].select("buyer_id").unique()
        part["buyers"] = buyers.join(sold_to, on="buyer_id", how="semi", maintain_order="left")
        parts.append(part)
    return parts


def split_points(points: pl.DataFrame, assignment: pl.DataFrame, n: int) -> list[pl.DataFrame]:
    """Request points in the same partitions as the enterprises they name."""
    tagged = points.join(assignment, on="enterprise_id", how="left", maintain_order="left")
    return _pieces(tagged, n)


def as_dataset(part: Partition) -> TradeDataset:
    """A data set over one in-memory partition; tables the features do not read are empty."""
    frames = {
        name: part[name].lazy() if name in part else pl.LazyFrame(schema=table.schema)
        for name, table in TABLES.items()
    }
    return TradeDataset(**frames)


def partition_view(ds: TradeDataset, enterprise_ids: list[str]) -> TradeDataset:
    """Lazy view of ``ds`` restricted to ``enterprise_ids``: reading it scans only the columns
    the features use and keeps only the partition's rows."""
    mine = pl.LazyFrame({"enterprise_id": enterprise_ids}, schema={"enterprise_id": pl.String})
    orders = ds.orders.join(mine, on="enterprise_id", how="semi")
    owned = orders.select("order_id")
    sold_to = orders.select("buyer_id").unique()
    return replace(
        ds,
        enterprises=ds.enterprises.join(mine, on="enterprise_id", how="semi"),
        orders=orders,
        financings=ds.financings.join(mine, on="enterprise_id", how="semi"),
        payments=ds.payments.join(owned, on="order_id", how="semi"),
        waybills=ds.waybills.join(owned, on="order_id", how="semi"),
        declarations=ds.declarations.join(owned, on="order_id", how="semi"),
        buyers=ds.buyers.join(sold_to, on="buyer_id", how="semi"),
    )
