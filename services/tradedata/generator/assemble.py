"""Turning the generator's arrays into contract tables and ground-truth labels."""

from __future__ import annotations

import numpy as np
import polars as pl

from . import vocab
from .codes import TRADE_CODES
from .documents import ExtraPayers, order_ids
from .ids import make_ids
from .orders import CURRENCY_CODES, INCOTERMS, PLATFORMS, TERMS, OrderBook
from .parties import PRODUCT_CODES, PRODUCT_UNIT, Buyers, Enterprises, buyer_ids
from .structures import Relation, Structure
from .timebase import Timebase

UTC_US = pl.Datetime("us", "UTC")


def enterprise_ids(index: np.ndarray) -> pl.Series:
    return make_ids("E", index, 6)


def sort_by_time(book: OrderBook, structures: list[Structure]) -> None:
    """Order rows chronologically so order ids increase with time."""
    order = np.argsort(book.cols["t"], kind="stable")
    book.cols = {name: column[order] for name, column in book.cols.items()}
    position = np.empty_like(order)
    position[order] = np.arange(order.shape[0])
    for structure in structures:
        structure.rows = np.sort(position[structure.rows])


def orders_frame(book: OrderBook) -> pl.DataFrame:
    c = book.cols
    return pl.DataFrame(
        {
            "order_id": order_ids(book.n),
            "enterprise_id": enterprise_ids(c["ent"]),
            "buyer_id": buyer_ids(int(c["buyer"].max()) + 1).gather(c["buyer"]),
            "platform": vocab.pick(PLATFORMS, c["platform"]),
            "ordered_at": pl.Series(c["t"]).cast(UTC_US),
            "hs_code": vocab.pick(PRODUCT_CODES, c["prod"]),
            "quantity": c["qty"].astype(np.float64),
            "unit": vocab.pick(PRODUCT_UNIT, c["prod"]),
            "unit_price": c["price"],
            "currency": vocab.pick(CURRENCY_CODES, c["currency"]),
            "amount": c["amount"],
            "incoterm": vocab.pick(INCOTERMS, c["incoterm"]),
            "payment_terms": vocab.pick(TERMS, c["terms"]),
            "credit_days": c["credit"].astype(np.int64),
        }
    )


def _party_id(kind: str, index: int) -> str:
    return f"E{index:06d}" if kind == "E" else f"B{index:07d}"


def relations_frame(relations: list[Relation]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "party_a": [_party_id(r.a_kind, r.a) for r in relations],
            "party_b": [_party_id(r.b_kind, r.b) for r in relations],
            "relation": [r.relation for r in relations],
            "since": pl.Series([r.since_us for r in relations], dtype=pl.Int64).cast(UTC_US),
        },
        schema_overrides={"party_a": pl.String, "party_b": pl.String, "relation": pl.String},
    ).unique(subset=["party_a", "party_b", "relation"], keep="first", maintain_order=True)


def trade_labels(book: OrderBook, ent: Enterprises, structures: list[Structure]) -> pl.DataFrame:
    c = book.cols
    ids = order_ids(book.n)
    names = {code: name for name, code in TRADE_CODES.items()}
    parts = [
        pl.DataFrame(
            {"order_id": ids.gather(np.flatnonzero(c["typology"] == code)), "typology": name}
        )
        for code, name in names.items()
    ]
    parts.append(
        pl.DataFrame(
            {
                "order_id": ids.gather(np.flatnonzero(ent.shell[c["ent"]])),
                "typology": "SHELL_EXPORTER",
            }
        )
    )
    for s in structures:
        if s.typology == "RAPID_PASS_THROUGH":
            parts.append(pl.DataFrame({"order_id": ids.gather(s.rows), "typology": s.typology}))
    schema = pl.Schema({"order_id": pl.String(), "typology": pl.String()})
    return pl.concat([p.cast(schema) for p in parts]).sort("order_id", "typology")


def structure_labels(book: OrderBook, structures: list[Structure]) -> pl.DataFrame:
    ids = order_ids(book.n)
    return pl.DataFrame(
        {
            "structure_id": [f"S{i:04d}" for i in range(len(structures))],
            "typology": [s.typology for s in structures],
            "member_ids": [
                [_party_id("E", e) for e in s.enterprises] + [_party_id("B", b) for b in s.buyers]
                for s in structures
            ],
            "order_ids": [ids.gather(s.rows).to_list() for s in structures],
        },
        schema={
            "structure_id": pl.String,
            "typology": pl.String,
            "member_ids": pl.List(pl.String),
            "order_ids": pl.List(pl.String),
        },
    )


def party_labels(
    ent: Enterprises, listed: np.ndarray, payers: ExtraPayers, payments: pl.DataFrame
) -> pl.DataFrame:
    used_payers = payments.filter(pl.col("payer_account").is_in(payers.accounts.implode()))
    parts = [
        pl.DataFrame(
            {
                "party_id": enterprise_ids(np.flatnonzero(ent.shell)),
                "party_type": "ENTERPRISE",
                "typology": "SHELL_EXPORTER",
            }
        ),
        pl.DataFrame(
            {
                "party_id": [_party_id("B", int(b)) for b in listed],
                "party_type": "BUYER",
                "typology": "NEGATIVE_LIST_PARTY",
            }
        ),
        pl.DataFrame(
            {
                "party_id": used_payers["payer_account"].unique().sort(),
                "party_type": "PAYER",
                "typology": "THIRD_PARTY_PAYER",
            }
        ),
    ]
    schema = pl.Schema(
        {"party_id": pl.String(), "party_type": pl.String(), "typology": pl.String()}
    )
    return pl.concat([p.cast(schema) for p in parts])


def buyers_frame(buyers: Buyers) -> pl.DataFrame:
    return buyers.frame()


def extract_end(tb: Timebase) -> str:
    return str(np.datetime64(tb.end_us, "us").astype("datetime64[s]")) + "Z"
