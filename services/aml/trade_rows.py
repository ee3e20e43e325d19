"""A data set's rows as domain trades, in order-time order (to replay them through the
per-trade path: evaluation, parity checks, benchmarks)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import polars as pl

from services.aml.batch import Tables
from services.aml.domain import Declaration, Order, Payment, Trade, Waybill


def iter_trades(t: Tables, chunk: int = 2_048) -> Iterator[list[Trade]]:
    """The data set as domain trades in order-time order, a chunk at a time (for replay)."""
    orders = t.orders.sort("ordered_at", "order_id").collect()
    pays = _grouped(t.payments, "paid_at")
    bills = _grouped(t.waybills, "shipped_at")
    decls = _grouped(t.declarations, "declared_at")
    for start in range(0, orders.height, chunk):
        block = orders.slice(start, chunk).to_dicts()
        yield [
            Trade(
                order=_order(o),
                payments=tuple(_payment(p) for p in pays.get(o["order_id"], ())),
                waybills=tuple(_waybill(w) for w in bills.get(o["order_id"], ())),
                declarations=tuple(_declaration(d) for d in decls.get(o["order_id"], ())),
            )
            for o in block
        ]


def _grouped(frame: pl.LazyFrame, by: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in frame.sort(by).collect().iter_rows(named=True):
        out[row["order_id"]].append(row)
    return out


def _order(o: dict[str, Any]) -> Order:
    return Order(
        o["order_id"],
        o["enterprise_id"],
        o["buyer_id"],
        o["ordered_at"],
        o["hs_code"],
        o["quantity"],
        o["unit_price"],
        o["amount"],
        o["currency"],
        o["platform"],
        o["unit"],
        o["incoterm"],
        o["payment_terms"],
        int(o["credit_days"]),
    )


def _payment(p: dict[str, Any]) -> Payment:
    return Payment(
        p["payment_id"],
        p["order_id"],
        p["payer_name"],
        p["payer_country"],
        p["paid_at"],
        p["amount"],
        p["currency"],
        p["payer_account"],
        p["channel"],
    )


def _waybill(w: dict[str, Any]) -> Waybill:
    return Waybill(
        w["waybill_id"],
        w["order_id"],
        w["shipped_at"],
        w["destination_country"],
        w["gross_weight_kg"],
        w["carrier"],
        w["delivered_at"],
        w["origin"],
        int(w["packages"]),
        w["status"],
        float(w.get("quantity") or 0.0),
    )


def _declaration(d: dict[str, Any]) -> Declaration:
    return Declaration(
        d["declaration_id"],
        d["order_id"],
        d["declared_at"],
        d["hs_code"],
        d["declared_value"],
        d["currency"],
        d["quantity"],
        d["customs_status"],
    )
