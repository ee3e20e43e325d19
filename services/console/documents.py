"""A trade's documents side by side, with the fields that disagree and by how much.

The order is the reference: payments should add up to its amount, the declaration should carry
its value, quantity and HS code, and money and goods should come from and go to the buyer's
country. Every disagreement is spelled out in words, never shown by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from services.console.domain import DocumentRef

#: Relative gap below which two amounts agree (rounding, bank charges).
AMOUNT_TOLERANCE = 0.02
_DOCUMENT_TABLES = ("orders", "payments", "waybills", "declarations", "buyers", "enterprises")


@dataclass(frozen=True, slots=True)
class Cell:
    """One document's value for a field; `mismatch` says how it disagrees ("" = agrees)."""

    text: str
    mismatch: str = ""


@dataclass(frozen=True, slots=True)
class FieldRow:
    label: str
    cells: tuple[Cell, Cell, Cell, Cell]


@dataclass(frozen=True, slots=True)
class TradeDocuments:
    """One order with its payments, waybills and declarations, compared field by field."""

    order_id: str
    rows: tuple[FieldRow, ...]
    mismatches: int


COLUMNS = ("Order", "Payments", "Waybills", "Declarations")
_ORDER_KEYS = {
    "PAYMENT": ("payments", "payment_id"),
    "WAYBILL": ("waybills", "waybill_id"),
    "DECLARATION": ("declarations", "declaration_id"),
}


class DocumentLibrary:
    """Reads a trade-data folder lazily; each lookup scans only the orders asked for."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._frames = {
            name: pl.scan_parquet(root / f"{name}.parquet") for name in _DOCUMENT_TABLES
        }

    def frame(self, name: str) -> pl.LazyFrame:
        return self._frames[name]

    def trades(self, order_ids: list[str]) -> list[TradeDocuments]:
        """The compared documents of each order found, in the order asked."""
        if not order_ids:
            return []
        rows = {
            name: self._rows(name, order_ids) for name in ("payments", "waybills", "declarations")
        }
        orders = {r["order_id"]: r for r in self._rows("orders", order_ids)}
        buyers = self._buyers([o["buyer_id"] for o in orders.values()])
        return [
            compare(orders[oid], buyers.get(orders[oid]["buyer_id"], {}), *_mine(rows, oid))
            for oid in order_ids
            if oid in orders
        ]

    def orders_of(self, refs: list[DocumentRef]) -> list[str]:
        """The orders behind the documents named (an order names itself), first seen first."""
        found = [r.document_id for r in refs if r.document_type == "ORDER"]
        for document_type, (table, key) in _ORDER_KEYS.items():
            ids = [r.document_id for r in refs if r.document_type == document_type]
            if ids:
                frame = self._frames[table].filter(pl.col(key).is_in(ids)).select("order_id")
                found += frame.collect()["order_id"].to_list()
        return list(dict.fromkeys(found))

    def money_movements(self, order_ids: list[str]) -> list[dict[str, Any]]:
        """The orders' payments, each with its order's exporter, buyer and HS code; an order
        nobody paid stands for itself (the buyer owes the exporter its amount)."""
        orders = self._frames["orders"].filter(pl.col("order_id").is_in(order_ids)).collect()
        paid = (
            self._frames["payments"]
            .filter(pl.col("order_id").is_in(order_ids))
            .collect()
            .join(orders.select("order_id", "enterprise_id", "buyer_id", "hs_code"), on="order_id")
        )
        unpaid = orders.filter(~pl.col("order_id").is_in(paid["order_id"].implode()))
        as_movements = unpaid.select(
            pl.col("order_id").alias("payment_id"),
            "order_id",
            pl.col("buyer_id").alias("payer_name"),
            pl.lit("").alias("payer_country"),
            pl.col("buyer_id").alias("payer_account"),
            pl.col("ordered_at").alias("paid_at"),
            "amount",
            "currency",
            pl.lit("UNPAID_ORDER").alias("channel"),
            "enterprise_id",
            "buyer_id",
            "hs_code",
        )
        both = pl.concat([paid.select(as_movements.columns), as_movements])
        return both.sort("paid_at", "payment_id").to_dicts()

    def relations(self, party_ids: list[str]) -> list[tuple[str, str, str]]:
        """Known links (ownership, shared director, ...) among the given parties."""
        path = self.root / "relations.parquet"
        if not path.exists():
            return []
        frame = pl.scan_parquet(path).filter(
            pl.col("party_a").is_in(party_ids) & pl.col("party_b").is_in(party_ids)
        )
        return [(r["party_a"], r["party_b"], r["relation"]) for r in frame.collect().to_dicts()]

    def parties(self, party_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Exporters and buyers by id: name, country, and the exporter's USCC."""
        exporters = self._frames["enterprises"].select(
            pl.col("enterprise_id").alias("party_id"),
            "name",
            pl.lit("CN").alias("country"),
            pl.col("uscc").alias("identifier"),
        )
        buyers = self._frames["buyers"].select(
            pl.col("buyer_id").alias("party_id"), "name", "country", pl.lit("").alias("identifier")
        )
        frame = pl.concat([exporters, buyers]).filter(pl.col("party_id").is_in(party_ids))
        return {row["party_id"]: row for row in frame.collect().to_dicts()}

    def _rows(self, name: str, order_ids: list[str]) -> list[dict[str, Any]]:
        frame = self._frames[name].filter(pl.col("order_id").is_in(order_ids))
        return frame.collect().to_dicts()

    def _buyers(self, buyer_ids: list[str]) -> dict[str, dict[str, Any]]:
        frame = self._frames["buyers"].filter(pl.col("buyer_id").is_in(buyer_ids)).collect()
        return {row["buyer_id"]: row for row in frame.to_dicts()}


def _mine(
    rows: dict[str, list[dict[str, Any]]], order_id: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    def of(name: str) -> list[dict[str, Any]]:
        return [r for r in rows[name] if r["order_id"] == order_id]

    return of("payments"), of("waybills"), of("declarations")


def money(amount: float, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value is not None else "—"


def _gap(expected: float, actual: float, currency: str, what: str) -> str:
    """Words for how far `actual` is from `expected`, or "" inside the tolerance."""
    if expected == actual or (expected and abs(actual - expected) / expected <= AMOUNT_TOLERANCE):
        return ""
    share = f" ({(actual - expected) / expected:+.1%})" if expected else ""
    sign = "more" if actual > expected else "less"
    return f"{what} {money(abs(actual - expected), currency)} {sign} than the order{share}"


def _joined(values: list[Any]) -> str:
    return ", ".join(str(v) for v in dict.fromkeys(values)) or "—"


def _total_cell(rows: list[dict[str, Any]], column: str, order: dict[str, Any], what: str) -> Cell:
    if not rows:
        return Cell("none")
    currencies = {r["currency"] for r in rows}
    total = float(sum(r[column] for r in rows))
    text = money(total, _joined(sorted(currencies))) + f" ({len(rows)})"
    if currencies != {order["currency"]}:
        return Cell(text, f"in {_joined(sorted(currencies))}, the order is in {order['currency']}")
    return Cell(text, _gap(float(order["amount"]), total, order["currency"], what.rstrip("s")))


def _value_row(order: dict[str, Any], payments: list[Any], declarations: list[Any]) -> FieldRow:
    return FieldRow(
        "Amount / value",
        (
            Cell(money(order["amount"], order["currency"])),
            _total_cell(payments, "amount", order, "Payments"),
            Cell("—"),
            _total_cell(declarations, "declared_value", order, "Declarations"),
        ),
    )


def _quantity_row(order: dict[str, Any], waybills: list[Any], declarations: list[Any]) -> FieldRow:
    ordered = float(order["quantity"])
    declared = float(sum(d["quantity"] for d in declarations))
    gap = ""
    if declarations and ordered and abs(declared - ordered) / ordered > AMOUNT_TOLERANCE:
        share = declared / ordered - 1
        gap = f"{declared - ordered:+,.0f} {order['unit']} against the order ({share:+.1%})"
    shipped = (
        f"{sum(w['packages'] for w in waybills):,} packages, "
        f"{sum(w['gross_weight_kg'] for w in waybills):,.0f} kg"
        if waybills
        else "not shipped"
    )
    declared_text = f"{declared:,.0f} {order['unit']}" if declarations else "not declared"
    return FieldRow(
        "Quantity",
        (
            Cell(f"{ordered:,.0f} {order['unit']}"),
            Cell("—"),
            Cell(shipped, "" if waybills else "no waybill for this order"),
            Cell(declared_text, gap),
        ),
    )


def _hs_row(order: dict[str, Any], declarations: list[Any]) -> FieldRow:
    codes = [d["hs_code"] for d in declarations]
    other = [c for c in codes if c != order["hs_code"]]
    gap = ""
    if other:
        level = "chapter" if other[0][:2] != order["hs_code"][:2] else "heading"
        gap = f"declared under {_joined(other)}, another {level} than the order"
    return FieldRow(
        "HS code",
        (Cell(order["hs_code"]), Cell("—"), Cell("—"), Cell(_joined(codes), gap)),
    )


def _country_row(buyer: dict[str, Any], payments: list[Any], waybills: list[Any]) -> FieldRow:
    home = buyer.get("country", "")
    payers = [p["payer_country"] for p in payments]
    destinations = [w["destination_country"] for w in waybills]
    foreign_payers = [c for c in payers if home and c != home]
    foreign_goods = [c for c in destinations if home and c != home]
    return FieldRow(
        "Country",
        (
            Cell(f"buyer in {home or 'unknown'}"),
            Cell(
                f"paid from {_joined(payers)}",
                f"payer in {_joined(foreign_payers)}, not the buyer's {home}"
                if foreign_payers
                else "",
            ),
            Cell(
                f"shipped to {_joined(destinations)}",
                f"goods to {_joined(foreign_goods)}, not the buyer's {home}"
                if foreign_goods
                else "",
            ),
            Cell("—"),
        ),
    )


def _parties_row(
    buyer: dict[str, Any], payments: list[Any], waybills: list[Any], declarations: list[Any]
) -> FieldRow:
    return FieldRow(
        "Parties / status",
        (
            Cell(buyer.get("name", "unknown buyer")),
            Cell(_joined([p["payer_name"] for p in payments])),
            Cell(_joined([f"{w['carrier']} ({w['status']})" for w in waybills])),
            Cell(_joined([d["customs_status"] for d in declarations])),
        ),
    )


def _ids_and_dates(
    order: dict[str, Any], payments: list[Any], waybills: list[Any], declarations: list[Any]
) -> list[FieldRow]:
    ids = FieldRow(
        "Document",
        (
            Cell(order["order_id"]),
            Cell(_joined([p["payment_id"] for p in payments])),
            Cell(_joined([w["waybill_id"] for w in waybills])),
            Cell(_joined([d["declaration_id"] for d in declarations])),
        ),
    )
    dates = FieldRow(
        "Date",
        (
            Cell(_day(order["ordered_at"])),
            Cell(_joined([_day(p["paid_at"]) for p in payments])),
            Cell(_joined([_day(w["shipped_at"]) for w in waybills])),
            Cell(_joined([_day(d["declared_at"]) for d in declarations])),
        ),
    )
    return [ids, dates]


def compare(
    order: dict[str, Any],
    buyer: dict[str, Any],
    payments: list[dict[str, Any]],
    waybills: list[dict[str, Any]],
    declarations: list[dict[str, Any]],
) -> TradeDocuments:
    """The order's documents in four columns, each disagreement with the order in words."""
    rows = (
        *_ids_and_dates(order, payments, waybills, declarations),
        _value_row(order, payments, declarations),
        _quantity_row(order, waybills, declarations),
        _hs_row(order, declarations),
        _country_row(buyer, payments, waybills),
        _parties_row(buyer, payments, waybills, declarations),
    )
    mismatches = sum(1 for row in rows for cell in row.cells if cell.mismatch)
    return TradeDocuments(order["order_id"], tuple(rows), mismatches)
