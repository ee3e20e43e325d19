"""The trade-data contract (DESIGN.md section 3): one polars schema per table plus the rules
the validator enforces on each column.

Money is a Float64 amount next to a 3-letter ISO 4217 currency column; timestamps are
``pl.Datetime("us", "UTC")``; countries are ISO 3166-1 alpha-2; HS codes are 6-10 digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import polars as pl

TIMESTAMP: Final = pl.Datetime("us", "UTC")

BUSINESS_MODELS: Final = frozenset({"B2B", "B2C", "M2B", "M2C"})
CUSTOMS_CREDIT: Final = frozenset({"ADVANCED", "GENERAL", "DISHONEST"})
PAYMENT_TERMS: Final = frozenset({"PREPAID", "LC", "DP", "DA", "OA"})
INCOTERMS: Final = frozenset(
    {"EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"}
)
PAYMENT_CHANNELS: Final = frozenset({"BANK", "PSP"})
WAYBILL_STATUSES: Final = frozenset({"IN_TRANSIT", "DELIVERED", "RETURNED", "LOST"})
CUSTOMS_STATUSES: Final = frozenset({"RELEASED", "INSPECTED", "REJECTED"})
FINANCING_PRODUCTS: Final = frozenset(
    {"ORDER_FINANCING", "RECEIVABLES_FINANCING", "INVENTORY_PLEDGE", "POLICY_FINANCING"}
)
WATCHLISTS: Final = frozenset({"NEGATIVE_LIST", "SANCTIONS", "PEP", "ADVERSE_MEDIA"})
RELATIONS: Final = frozenset({"OWNERSHIP", "SHARED_DIRECTOR", "SHARED_ADDRESS", "SHARED_ACCOUNT"})
UNITS: Final = frozenset({"PCS", "PAIR", "SET", "KG", "M", "M2", "L", "BOX"})


class Check(StrEnum):
    """Value rule attached to a column, beyond its dtype."""

    MONEY = "MONEY"  # finite and >= 0
    NON_NEGATIVE = "NON_NEGATIVE"
    CURRENCY = "CURRENCY"
    COUNTRY = "COUNTRY"
    HS_CODE = "HS_CODE"
    USCC = "USCC"
    GRADE = "GRADE"  # 1..10


@dataclass(frozen=True, slots=True)
class Column:
    """One contract column: dtype, nullability, allowed values and value rule."""

    name: str
    dtype: pl.DataType
    nullable: bool = False
    enum: frozenset[str] | None = None
    check: Check | None = None


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """``column`` must match a key of one of ``targets`` (table, column) pairs."""

    column: str
    targets: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A contract table: its columns, primary key and foreign keys."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    required: bool = True
    by_name: MappingProxyType[str, Column] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", MappingProxyType({c.name: c for c in self.columns}))

    @property
    def schema(self) -> pl.Schema:
        return pl.Schema([(c.name, c.dtype) for c in self.columns])

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _s(name: str, **kw: object) -> Column:
    return Column(name, pl.String(), **kw)  # type: ignore[arg-type]


def _ts(name: str, nullable: bool = False) -> Column:
    return Column(name, TIMESTAMP, nullable=nullable)


def _money(name: str) -> Column:
    return Column(name, pl.Float64(), check=Check.MONEY)


def _fk(column: str, table: str, key: str) -> ForeignKey:
    return ForeignKey(column, ((table, key),))


ENTERPRISES_TABLE: Final = Table(
    "enterprises",
    (
        _s("enterprise_id"),
        _s("name"),
        _s("uscc", check=Check.USCC),
        _ts("registered_at"),
        _s("region"),
        _s("industry_hs2"),
        _s("business_model", enum=BUSINESS_MODELS),
        _money("registered_capital_cny"),
        Column("employees", pl.Int64(), check=Check.NON_NEGATIVE),
        _s("customs_credit", enum=CUSTOMS_CREDIT),
    ),
    key=("enterprise_id",),
)

BUYERS_TABLE: Final = Table(
    "buyers",
    (
        _s("buyer_id"),
        _s("name"),
        _s("country", check=Check.COUNTRY),
        Column("buyer_grade", pl.Int64(), nullable=True, check=Check.GRADE),
    ),
    key=("buyer_id",),
)

ORDERS_TABLE: Final = Table(
    "orders",
    (
        _s("order_id"),
        _s("enterprise_id"),
        _s("buyer_id"),
        _s("platform"),
        _ts("ordered_at"),
        _s("hs_code", check=Check.HS_CODE),
        Column("quantity", pl.Float64(), check=Check.NON_NEGATIVE),
        _s("unit", enum=UNITS),
        _money("unit_price"),
        _s("currency", check=Check.CURRENCY),
        _money("amount"),
        _s("incoterm", enum=INCOTERMS),
        _s("payment_terms", enum=PAYMENT_TERMS),
        Column("credit_days", pl.Int64(), check=Check.NON_NEGATIVE),
    ),
    key=("order_id",),
    foreign_keys=(
        _fk("enterprise_id", "enterprises", "enterprise_id"),
        _fk("buyer_id", "buyers", "buyer_id"),
    ),
)

PAYMENTS_TABLE: Final = Table(
    "payments",
    (
        _s("payment_id"),
        _s("order_id"),
        _s("payer_name"),
        _s("payer_country", check=Check.COUNTRY),
        _s("payer_account"),
        _ts("paid_at"),
        _money("amount"),
        _s("currency", check=Check.CURRENCY),
        _s("channel", enum=PAYMENT_CHANNELS),
    ),
    key=("payment_id",),
    foreign_keys=(_fk("order_id", "orders", "order_id"),),
)

WAYBILLS_TABLE: Final = Table(
    "waybills",
    (
        _s("waybill_id"),
        _s("order_id"),
        _s("carrier"),
        _ts("shipped_at"),
        _ts("delivered_at", nullable=True),
        _s("origin", check=Check.COUNTRY),
        _s("destination_country", check=Check.COUNTRY),
        Column("gross_weight_kg", pl.Float64(), check=Check.NON_NEGATIVE),
        Column("packages", pl.Int64(), check=Check.NON_NEGATIVE),
        _s("status", enum=WAYBILL_STATUSES),
        # Goods in this lot, in the order's unit (an order ships in one or several lots).
        Column("quantity", pl.Float64(), check=Check.NON_NEGATIVE),
    ),
    key=("waybill_id",),
    foreign_keys=(_fk("order_id", "orders", "order_id"),),
)

DECLARATIONS_TABLE: Final = Table(
    "declarations",
    (
        _s("declaration_id"),
        _s("order_id"),
        _ts("declared_at"),
        _s("hs_code", check=Check.HS_CODE),
        _money("declared_value"),
        _s("currency", check=Check.CURRENCY),
        Column("quantity", pl.Float64(), check=Check.NON_NEGATIVE),
        _s("customs_status", enum=CUSTOMS_STATUSES),
    ),
    key=("declaration_id",),
    foreign_keys=(_fk("order_id", "orders", "order_id"),),
)

FINANCINGS_TABLE: Final = Table(
    "financings",
    (
        _s("financing_id"),
        _s("enterprise_id"),
        _s("product", enum=FINANCING_PRODUCTS),
        _money("amount"),
        _s("currency", check=Check.CURRENCY),
        _ts("disbursed_at"),
        _ts("due_at"),
        _ts("repaid_at", nullable=True),
        Column("defaulted", pl.Boolean()),
    ),
    key=("financing_id",),
    foreign_keys=(_fk("enterprise_id", "enterprises", "enterprise_id"),),
)

WATCHLIST_TABLE: Final = Table(
    "watchlist",
    (
        _s("entry_id"),
        _s("name"),
        Column("aliases", pl.List(pl.String()), nullable=True),  # CSV: empty cell = none
        _s("country", check=Check.COUNTRY),
        _s("list", enum=WATCHLISTS),
        _s("reason"),
    ),
    key=("entry_id",),
)

# Relations link enterprises, buyers and payers (payers are known by their account).
_PARTY_TARGETS: Final = (
    ("enterprises", "enterprise_id"),
    ("buyers", "buyer_id"),
    ("payments", "payer_account"),
)

RELATIONS_TABLE: Final = Table(
    "relations",
    (
        _s("party_a"),
        _s("party_b"),
        _s("relation", enum=RELATIONS),
        _ts("since"),
    ),
    key=("party_a", "party_b", "relation"),
    foreign_keys=(
        ForeignKey("party_a", _PARTY_TARGETS),
        ForeignKey("party_b", _PARTY_TARGETS),
    ),
    required=False,
)

TABLES: Final = MappingProxyType(
    {
        t.name: t
        for t in (
            ENTERPRISES_TABLE,
            BUYERS_TABLE,
            ORDERS_TABLE,
            PAYMENTS_TABLE,
            WAYBILLS_TABLE,
            DECLARATIONS_TABLE,
            FINANCINGS_TABLE,
            WATCHLIST_TABLE,
            RELATIONS_TABLE,
        )
    }
)


ENTERPRISES: Final = ENTERPRISES_TABLE.schema
BUYERS: Final = BUYERS_TABLE.schema
ORDERS: Final = ORDERS_TABLE.schema
PAYMENTS: Final = PAYMENTS_TABLE.schema
WAYBILLS: Final = WAYBILLS_TABLE.schema
DECLARATIONS: Final = DECLARATIONS_TABLE.schema
FINANCINGS: Final = FINANCINGS_TABLE.schema
WATCHLIST: Final = WATCHLIST_TABLE.schema
RELATIONS_SCHEMA: Final = RELATIONS_TABLE.schema

# In CSV files a list column is one string with this separator.
CSV_LIST_SEPARATOR: Final = "|"
