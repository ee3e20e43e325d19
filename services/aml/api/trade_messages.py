"""Trade messages (`tradeguard.common.v1.Trade`) built from the trade-data tables.

Clients that replay a data set to the aml service use it: the demo, the benchmarks and the
end-to-end tests. Services never need it: they receive trades over gRPC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from google.protobuf.timestamp_pb2 import Timestamp

from services._proto.tradeguard.common.v1 import common_pb2
from services.common.money import from_float as money
from services.tradedata.loading import load_dataset


def timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def load_trades(
    data_dir: Path | str, order_ids: Sequence[str] | None = None, limit: int | None = None
) -> list[common_pb2.Trade]:
    """Trades of the given orders (or the first `limit` orders by time) with all their documents."""
    dataset = load_dataset(data_dir)
    orders = dataset.orders.sort("ordered_at", "order_id")
    if order_ids is not None:
        orders = orders.filter(pl.col("order_id").is_in(list(order_ids)))
    if limit is not None:
        orders = orders.head(limit)
    order_rows = orders.collect()
    wanted = order_rows["order_id"].implode()
    documents = {
        name: _rows_by_order(getattr(dataset, name).filter(pl.col("order_id").is_in(wanted)))
        for name in ("payments", "waybills", "declarations")
    }
    parties = _parties(dataset, order_rows)
    return [_trade(row, documents, parties) for row in order_rows.iter_rows(named=True)]


def _rows_by_order(frame: pl.LazyFrame) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in frame.collect().iter_rows(named=True):
        grouped[row["order_id"]].append(row)
    return grouped


def _parties(dataset: Any, orders: pl.DataFrame) -> dict[str, common_pb2.Party]:
    exporters = dataset.enterprises.filter(
        pl.col("enterprise_id").is_in(orders["enterprise_id"].implode())
    ).select(pl.col("enterprise_id").alias("party_id"), "name", pl.lit("CN").alias("country"))
    buyers = dataset.buyers.filter(pl.col("buyer_id").is_in(orders["buyer_id"].implode())).select(
        pl.col("buyer_id").alias("party_id"), "name", "country"
    )
    rows = pl.concat([exporters, buyers]).collect().iter_rows(named=True)
    return {
        row["party_id"]: common_pb2.Party(
            party_id=row["party_id"], name=row["name"], country_code=row["country"]
        )
        for row in rows
    }


def _trade(
    order: dict[str, Any],
    documents: dict[str, dict[str, list[dict[str, Any]]]],
    parties: dict[str, common_pb2.Party],
) -> common_pb2.Trade:
    order_id = order["order_id"]
    trade = common_pb2.Trade(
        order=_order(order),
        payments=[_payment(p) for p in documents["payments"].get(order_id, [])],
        waybills=[_waybill(w) for w in documents["waybills"].get(order_id, [])],
        declarations=[_declaration(d) for d in documents["declarations"].get(order_id, [])],
    )
    for field, party_id in (("exporter", order["enterprise_id"]), ("buyer", order["buyer_id"])):
        if party_id in parties:
            getattr(trade, field).CopyFrom(parties[party_id])
    return trade


def _order(row: dict[str, Any]) -> common_pb2.Order:
    return common_pb2.Order(
        order_id=row["order_id"],
        enterprise_id=row["enterprise_id"],
        buyer_id=row["buyer_id"],
        platform=row["platform"],
        ordered_at=timestamp(row["ordered_at"]),
        hs_code=row["hs_code"],
        quantity=row["quantity"],
        unit=row["unit"],
        unit_price=money(row["unit_price"], row["currency"]),
        amount=money(row["amount"], row["currency"]),
        incoterm=row["incoterm"],
        payment_terms=row["payment_terms"],
        credit_days=row["credit_days"],
    )


def _payment(row: dict[str, Any]) -> common_pb2.Payment:
    return common_pb2.Payment(
        payment_id=row["payment_id"],
        order_id=row["order_id"],
        payer_name=row["payer_name"],
        payer_country=row["payer_country"],
        payer_account=row["payer_account"],
        paid_at=timestamp(row["paid_at"]),
        amount=money(row["amount"], row["currency"]),
        channel=row["channel"],
    )


def _waybill(row: dict[str, Any]) -> common_pb2.Waybill:
    return common_pb2.Waybill(
        waybill_id=row["waybill_id"],
        order_id=row["order_id"],
        carrier=row["carrier"],
        shipped_at=timestamp(row["shipped_at"]),
        delivered_at=timestamp(row["delivered_at"]),
        origin=row["origin"],
        destination_country=row["destination_country"],
        gross_weight_kg=row["gross_weight_kg"],
        packages=row["packages"],
        status=row["status"],
        quantity=row["quantity"],
    )


def _declaration(row: dict[str, Any]) -> common_pb2.Declaration:
    return common_pb2.Declaration(
        declaration_id=row["declaration_id"],
        order_id=row["order_id"],
        declared_at=timestamp(row["declared_at"]),
        hs_code=row["hs_code"],
        declared_value=money(row["declared_value"], row["currency"]),
        quantity=row["quantity"],
        customs_status=row["customs_status"],
    )
