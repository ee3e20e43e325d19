"""A hand-written case as a trade data set folder, for the network scan (ScanTradeData).

A bank scans the trades it holds; a case's data set holds exactly the case's trades (its
background business included) with the parties they name and the links among them, written as
the contract's tables. Waybill origins are cut to the country (the contract's column), the rest
is the documents as screened.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from google.protobuf import timestamp_pb2

from services._proto.tradeguard.common.v1 import common_pb2
from services.tradedata.schemas import TABLES

from .case_suite import Case, Reference, moment

_LINKED_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _at(stamp: timestamp_pb2.Timestamp) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC)


def _amount(money: common_pb2.Money) -> float:
    return money.units + money.nanos / 1e9


def _uscc(enterprise_id: str) -> str:
    """A well-formed (made-up) unified social credit code, stable per enterprise id."""
    digest = hashlib.sha256(enterprise_id.encode()).digest()
    return "91" + "".join(_USCC_ALPHABET[b % len(_USCC_ALPHABET)] for b in digest[:16])


def _enterprise(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "enterprise_id": row["id"],
        "name": row["name"],
        "uscc": _uscc(row["id"]),
        "registered_at": moment(row["registered"]),
        "region": "Guangdong",
        "industry_hs2": row.get("industry_hs2", ""),
        "business_model": row.get("business_model", "B2B"),
        "registered_capital_cny": float(row["capital_cny"]),
        "employees": int(row.get("employees", 0)),
        "customs_credit": "GENERAL",
    }


def _order(o: common_pb2.Order) -> dict[str, Any]:
    return {
        "order_id": o.order_id,
        "enterprise_id": o.enterprise_id,
        "buyer_id": o.buyer_id,
        "platform": o.platform,
        "ordered_at": _at(o.ordered_at),
        "hs_code": o.hs_code,
        "quantity": o.quantity,
        "unit": o.unit,
        "unit_price": _amount(o.unit_price),
        "currency": o.amount.currency_code,
        "amount": _amount(o.amount),
        "incoterm": common_pb2.Incoterm.Name(o.incoterm),
        "payment_terms": common_pb2.PaymentTerms.Name(o.payment_terms),
        "credit_days": o.credit_days,
    }


def _payment(p: common_pb2.Payment) -> dict[str, Any]:
    return {
        "payment_id": p.payment_id,
        "order_id": p.order_id,
        "payer_name": p.payer_name,
        "payer_country": p.payer_country,
        "payer_account": p.payer_account,
        "paid_at": _at(p.paid_at),
        "amount": _amount(p.amount),
        "currency": p.amount.currency_code,
        "channel": common_pb2.PaymentChannel.Name(p.channel),
    }


def _waybill(w: common_pb2.Waybill) -> dict[str, Any]:
    return {
        "waybill_id": w.waybill_id,
        "order_id": w.order_id,
        "carrier": w.carrier,
        "shipped_at": _at(w.shipped_at),
        "delivered_at": _at(w.delivered_at) if w.HasField("delivered_at") else None,
        "origin": w.origin[:2],
        "destination_country": w.destination_country,
        "gross_weight_kg": w.gross_weight_kg,
        "packages": w.packages,
        "status": common_pb2.WaybillStatus.Name(w.status),
        "quantity": w.quantity,
    }


def _declaration(d: common_pb2.Declaration) -> dict[str, Any]:
    return {
        "declaration_id": d.declaration_id,
        "order_id": d.order_id,
        "declared_at": _at(d.declared_at),
        "hs_code": d.hs_code,
        "declared_value": _amount(d.declared_value),
        "currency": d.declared_value.currency_code,
        "quantity": d.quantity,
        "customs_status": common_pb2.CustomsStatus.Name(d.customs_status),
    }


def _frame(name: str, rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=TABLES[name].schema, orient="row")


def case_tables(case: Case, ref: Reference) -> dict[str, pl.DataFrame]:
    """The case's trades and the parties and links they name, as contract tables."""
    trades = [r.trade for r in case.requests]
    exporters = {t.order.enterprise_id for t in trades}
    buyers = {t.order.buyer_id for t in trades}
    accounts = {p.payer_account for t in trades for p in t.payments if p.payer_account}
    known = exporters | buyers | accounts
    relations = [
        {"party_a": r["a"], "party_b": r["b"], "relation": r["kind"], "since": _LINKED_SINCE}
        for r in [*case.setup["relation"], *ref.relations]
        if r["a"] in known and r["b"] in known
    ]
    return {
        "enterprises": _frame(
            "enterprises",
            (_enterprise(ref.customer(e, case.setup["customer"])) for e in sorted(exporters)),
        ),
        "buyers": _frame(
            "buyers",
            (
                {"buyer_id": b, "name": row["name"], "country": row["country"], "buyer_grade": None}
                for b in sorted(buyers)
                for row in [ref.buyer(b, case.setup["buyer"])]
            ),
        ),
        "orders": _frame("orders", (_order(t.order) for t in trades)),
        "payments": _frame("payments", (_payment(p) for t in trades for p in t.payments)),
        "waybills": _frame("waybills", (_waybill(w) for t in trades for w in t.waybills)),
        "declarations": _frame(
            "declarations", (_declaration(d) for t in trades for d in t.declarations)
        ),
        "financings": _frame("financings", ()),
        "watchlist": _frame(
            "watchlist",
            (
                {
                    "entry_id": w["id"],
                    "name": w["name"],
                    "aliases": list(w.get("aliases", [])),
                    "country": w["country"],
                    "list": w["list"],
                    "reason": w.get("reason", "listed"),
                }
                for w in ref.watchlist
            ),
        ),
        "relations": _frame("relations", relations),
    }


def write_case_dataset(case: Case, ref: Reference, folder: Path) -> None:
    """Write the case's tables as Parquet files under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in case_tables(case, ref).items():
        unique = frame.unique(subset=list(TABLES[name].key), keep="first", maintain_order=True)
        unique.write_parquet(folder / f"{name}.parquet")
