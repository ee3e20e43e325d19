"""Documents side by side: each disagreement with the order is found and said in words."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.console.documents import compare

DAY = datetime(2025, 3, 1, tzinfo=UTC)


def _order(**changes: Any) -> dict[str, Any]:
    order = {
        "order_id": "O-1", "buyer_id": "B-1", "ordered_at": DAY, "hs_code": "851712",
        "quantity": 100.0, "unit": "PCS", "amount": 10_000.0, "currency": "USD",
    }  # fmt: skip
    return {**order, **changes}


def _payment(
    amount: float = 10_000.0, country: str = "US", currency: str = "USD"
) -> dict[str, Any]:
    return {
        "payment_id": "P-1", "order_id": "O-1", "payer_name": "Acme", "payer_country": country,
        "paid_at": DAY, "amount": amount, "currency": currency,
    }  # fmt: skip


def _waybill(destination: str = "US") -> dict[str, Any]:
    return {
        "waybill_id": "W-1", "order_id": "O-1", "shipped_at": DAY, "packages": 4,
        "gross_weight_kg": 120.0, "destination_country": destination, "carrier": "DHL",
        "status": "DELIVERED",
    }  # fmt: skip


def _declaration(
    value: float = 10_000.0, quantity: float = 100.0, hs: str = "851712"
) -> dict[str, Any]:
    return {
        "declaration_id": "D-1", "order_id": "O-1", "declared_at": DAY, "hs_code": hs,
        "declared_value": value, "currency": "USD", "quantity": quantity,
        "customs_status": "RELEASED",
    }  # fmt: skip


BUYER = {"buyer_id": "B-1", "name": "Acme Retail", "country": "US"}


def _mismatches(**documents: Any) -> dict[str, list[str]]:
    trade = compare(
        _order(),
        BUYER,
        documents.get("payments", [_payment()]),
        documents.get("waybills", [_waybill()]),
        documents.get("declarations", [_declaration()]),
    )
    return {row.label: [c.mismatch for c in row.cells if c.mismatch] for row in trade.rows}


def test_documents_that_agree_have_no_mismatch() -> None:
    assert all(not found for found in _mismatches().values())


def test_small_differences_within_tolerance_agree() -> None:
    assert _mismatches(payments=[_payment(9_900.0)])["Amount / value"] == []


def test_a_declared_value_above_the_order_says_by_how_much() -> None:
    found = _mismatches(declarations=[_declaration(value=13_000.0)])["Amount / value"]
    assert found == ["Declaration USD 3,000.00 more than the order (+30.0%)"]


def test_quantity_and_hs_chapter_differences_are_named() -> None:
    found = _mismatches(declarations=[_declaration(quantity=80.0, hs="620342")])
    assert found["Quantity"] == ["-20 PCS against the order (-20.0%)"]
    assert found["HS code"] == ["declared under 620342, another chapter than the order"]


def test_payer_and_destination_outside_the_buyers_country_are_named() -> None:
    found = _mismatches(payments=[_payment(country="AE")], waybills=[_waybill("AU")])
    assert found["Country"] == [
        "payer in AE, not the buyer's US",
        "goods to AU, not the buyer's US",
    ]


def test_a_payment_in_another_currency_is_not_compared_as_if_equal() -> None:
    found = _mismatches(payments=[_payment(currency="EUR")])["Amount / value"]
    assert found == ["in EUR, the order is in USD"]


def test_an_unshipped_order_says_so() -> None:
    assert _mismatches(waybills=[])["Quantity"] == ["no waybill for this order"]
