"""Fixtures for the trade-data tests: a tiny hand-built data set and a small generated one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from services.tradedata.generator import GeneratedData, GeneratorConfig, generate_tables, write
from services.tradedata.schemas import TABLES

UTC = UTC
AS_OF = datetime(2024, 7, 1, tzinfo=UTC)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _frame(table: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=TABLES[table].schema, orient="row")


def _order(
    oid: str,
    ent: str,
    buyer: str,
    at: str,
    hs: str,
    qty: float,
    price: float,
    currency: str,
    terms: str,
    credit: int,
) -> dict[str, object]:
    return {
        "order_id": oid,
        "enterprise_id": ent,
        "buyer_id": buyer,
        "platform": "Alibaba.com",
        "ordered_at": ts(at),
        "hs_code": hs,
        "quantity": qty,
        "unit": "PCS",
        "unit_price": price,
        "currency": currency,
        "amount": round(qty * price, 2),
        "incoterm": "FOB",
        "payment_terms": terms,
        "credit_days": credit,
    }


def _payment(
    pid: str, oid: str, at: str, amount: float, currency: str = "USD"
) -> dict[str, object]:
    return {
        "payment_id": pid,
        "order_id": oid,
        "payer_name": "Payer",
        "payer_country": "US",
        "payer_account": "AC1",
        "paid_at": ts(at),
        "amount": amount,
        "currency": currency,
        "channel": "BANK",
    }


def _waybill(
    wid: str, oid: str, shipped: str, delivered: str | None, dest: str, status: str
) -> dict[str, object]:
    return {
        "waybill_id": wid,
        "order_id": oid,
        "carrier": "COSCO Shipping",
        "shipped_at": ts(shipped),
        "delivered_at": ts(delivered) if delivered else None,
        "origin": "CN",
        "destination_country": dest,
        "gross_weight_kg": 100.0,
        "packages": 4,
        "status": status,
        "quantity": 10.0,
    }


def _declaration(
    did: str, oid: str, at: str, hs: str, value: float, currency: str, qty: float, status: str
) -> dict[str, object]:
    return {
        "declaration_id": did,
        "order_id": oid,
        "declared_at": ts(at),
        "hs_code": hs,
        "declared_value": value,
        "currency": currency,
        "quantity": qty,
        "customs_status": status,
    }


def _financing(
    fid: str,
    disbursed: str,
    due: str,
    repaid: str | None,
    defaulted: bool,
    amount: float,
    currency: str,
) -> dict[str, object]:
    return {
        "financing_id": fid,
        "enterprise_id": "E1",
        "product": "ORDER_FINANCING",
        "amount": amount,
        "currency": currency,
        "disbursed_at": ts(disbursed),
        "due_at": ts(due),
        "repaid_at": ts(repaid) if repaid else None,
        "defaulted": defaulted,
    }


def tiny_tables() -> dict[str, pl.DataFrame]:
    """Two exporters; E1 trades, E2 does not. Values are worked out in the feature tests."""
    enterprises = [
        {
            "enterprise_id": "E1",
            "name": "Shenzhen Bright Trading Co., Ltd.",
            "uscc": "91440300MA5FXXXX1T",
            "registered_at": ts("2020-07-01"),
            "region": "Guangdong",
            "industry_hs2": "61",
            "business_model": "B2B",
            "registered_capital_cny": 1_000_000.0,
            "employees": 10,
            "customs_credit": "GENERAL",
        },
        {
            "enterprise_id": "E2",
            "name": "Yiwu Star Commerce Co., Ltd.",
            "uscc": "91330782MA2XXXXX3K",
            "registered_at": ts("2024-01-01"),
            "region": "Zhejiang",
            "industry_hs2": "95",
            "business_model": "B2C",
            "registered_capital_cny": 50_000.0,
            "employees": 2,
            "customs_credit": "ADVANCED",
        },
    ]
    buyers = [
        {"buyer_id": "B1", "name": "North Retail Inc.", "country": "US", "buyer_grade": 2},
        {"buyer_id": "B2", "name": "Blue Goods Inc.", "country": "US", "buyer_grade": None},
        {"buyer_id": "B3", "name": "Orbit Imports OOO", "country": "RU", "buyer_grade": 8},
    ]
    orders = [
        _order("O1", "E1", "B1", "2024-06-15", "610910", 1000, 3.2, "USD", "PREPAID", 0),
        _order("O2", "E1", "B2", "2024-05-01", "610910", 1000, 6.4, "USD", "OA", 30),
        _order("O3", "E1", "B3", "2024-02-01", "610910", 500, 2.0, "EUR", "OA", 60),
        _order("O4", "E1", "B1", "2023-09-01", "610910", 625, 3.2, "USD", "OA", 30),
        _order("O5", "E1", "B1", "2023-03-01", "950300", 1000, 5.0, "USD", "OA", 30),
    ]
    payments = [
        _payment("P1", "O1", "2024-06-15T12:00:00", 3200.0),
        _payment("P2", "O2", "2024-06-20", 6400.0),
        _payment("P3", "O4", "2023-09-20", 600.0),
        _payment("P4", "O4", "2023-10-11", 1400.0),
        _payment("P5", "O5", "2023-04-01", 5000.0),
    ]
    waybills = [
        _waybill("W1", "O1", "2024-06-17", None, "US", "IN_TRANSIT"),
        _waybill("W2", "O2", "2024-05-03", "2024-05-20", "US", "DELIVERED"),
        _waybill("W3", "O3", "2024-02-03", None, "RU", "RETURNED"),
        _waybill("W4", "O4", "2023-09-03", "2023-09-20", "US", "DELIVERED"),
        _waybill("W5", "O5", "2023-03-03", "2023-03-20", "US", "DELIVERED"),
    ]
    declarations = [
        _declaration("D1", "O1", "2024-06-16", "610910", 3200.0, "USD", 1000, "RELEASED"),
        _declaration("D2", "O2", "2024-05-02", "610910", 6400.0, "USD", 1000, "RELEASED"),
        _declaration("D3", "O3", "2024-02-02", "610910", 1500.0, "EUR", 500, "INSPECTED"),
        _declaration("D4", "O4", "2023-09-02", "620342", 2000.0, "USD", 625, "REJECTED"),
        _declaration("D5", "O5", "2023-03-02", "950300", 5000.0, "USD", 1000, "RELEASED"),
    ]
    financings = [
        _financing("F1", "2023-06-01", "2023-09-01", "2023-09-10", False, 10_000.0, "USD"),
        _financing("F2", "2024-03-01", "2024-09-01", None, True, 20_000.0, "CNY"),
    ]
    watchlist = [
        {
            "entry_id": "WL1",
            "name": "Dmitri Volkov",
            "aliases": ["Dmitriy Volkov"],
            "country": "RU",
            "list": "SANCTIONS",
            "reason": "Sanctions designation",
        },
    ]
    return {
        "enterprises": _frame("enterprises", enterprises),
        "buyers": _frame("buyers", buyers),
        "orders": _frame("orders", orders),
        "payments": _frame("payments", payments),
        "waybills": _frame("waybills", waybills),
        "declarations": _frame("declarations", declarations),
        "financings": _frame("financings", financings),
        "watchlist": _frame("watchlist", watchlist),
    }


@pytest.fixture
def tiny() -> dict[str, pl.DataFrame]:
    return tiny_tables()


@pytest.fixture
def make_tiny() -> Callable[[], dict[str, pl.DataFrame]]:
    return tiny_tables


SMALL = GeneratorConfig(enterprises=150, months=8, seed=11, orders_per_month=6.0)


@pytest.fixture(scope="session")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tradedata") / "small"


@pytest.fixture(scope="session")
def small_data(small_dir: Path) -> GeneratedData:
    data = generate_tables(SMALL)
    write(data, small_dir)
    return data
