"""Hand-written applicants: exporters described as a loan officer would read their files, turned
into the documents of a 24-month trade record (orders, payments, waybills, declarations and past
financings). Nothing here comes from the trade-data generator, so what the served model says
about them is evidence its own generator settings did not shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from services.risk.record import TradeRecord

AS_OF = datetime(2025, 11, 1, tzinfo=UTC)
MONTHS = 24


@dataclass(frozen=True)
class PastLoan:
    months_ago: int
    amount_usd: float
    tenor_days: int
    days_late: int | None
    """Days after its due date it was repaid; None: never repaid, written off as a default."""


@dataclass(frozen=True)
class Applicant:
    enterprise_id: str
    name: str
    uscc: str
    customs_credit: str
    buyers: Sequence[tuple[str, str]]
    """(name, country) of each buyer; orders go round them by ``buyer_shares``."""
    buyer_shares: Sequence[int]
    """How many orders of each round go to each buyer, in the order of ``buyers``."""
    orders_per_month: Sequence[int]
    """Orders placed in each of the 24 months before as-of, oldest first."""
    order_usd: float
    credit_days: int
    days_late: Sequence[int | None]
    """Days after the due date each order's buyer paid, taken in turn; None: still unpaid."""
    returned_every: int = 0
    """Every n-th shipment comes back (0: none)."""
    loans: Sequence[PastLoan] = ()


STEADY = Applicant(
    enterprise_id="HW-STEADY",
    name="Qingdao Harbour Valve Manufacturing Co., Ltd.",
    uscc="91370200MA3C7K2Q4R",
    customs_credit="ADVANCED",
    buyers=(
        ("Rheinland Armaturen GmbH", "DE"),
        ("Great Lakes Flow Supply Inc.", "US"),
        ("Midlands Pipework Ltd", "GB"),
        ("Lyon Hydraulique SARL", "FR"),
        ("Osaka Plant Engineering K.K.", "JP"),
        ("Southern Cross Pumps Pty Ltd", "AU"),
    ),
    buyer_shares=(1, 1, 1, 1, 1, 1),
    orders_per_month=(5, 5, 6, 5, 6, 6, 5, 6, 6, 7, 6, 6, 6, 7, 6, 7, 7, 6, 7, 7, 8, 7, 7, 8),
    order_usd=18_000.0,
    credit_days=60,
    days_late=(0, -3, 1, 0, -1, 2, 0, 0),
    loans=(
        PastLoan(20, 80_000, 90, 0),
        PastLoan(14, 90_000, 90, 0),
        PastLoan(8, 100_000, 120, 0),
        PastLoan(3, 100_000, 90, 0),
    ),
)

DISTRESSED = Applicant(
    enterprise_id="HW-DISTRESSED",
    name="Yiwu Bright Star Imp. & Exp. Trading Co.",
    uscc="91330782MA2EC8L07X",
    customs_credit="GENERAL",
    buyers=(("Nova Distribuidora Ltda", "BR"), ("Kampala Home Goods Ltd", "UG")),
    buyer_shares=(6, 1),
    orders_per_month=(7, 7, 6, 7, 6, 6, 6, 5, 5, 5, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1),
    order_usd=9_000.0,
    credit_days=90,
    days_late=(45, 70, None, 95, 30, None, 120, 60),
    returned_every=5,
    loans=(
        PastLoan(18, 60_000, 90, 40),
        PastLoan(10, 60_000, 120, 75),
        PastLoan(4, 50_000, 90, None),
    ),
)

APPLICANTS = (STEADY, DISTRESSED)


def trade_record(applicant: Applicant, as_of: datetime = AS_OF) -> TradeRecord:
    """The applicant's documents before ``as_of``, as a record ScoreFinancing accepts."""
    tables: dict[str, list[Mapping[str, Any]]] = {
        "enterprises": [_enterprise(applicant, as_of)],
        "buyers": [
            {
                "buyer_id": _buyer_id(applicant, i),
                "name": name,
                "country": country,
                "buyer_grade": None,
            }
            for i, (name, country) in enumerate(applicant.buyers)
        ],
        "orders": [],
        "payments": [],
        "waybills": [],
        "declarations": [],
        "financings": [_loan(applicant, i, loan, as_of) for i, loan in enumerate(applicant.loans)],
    }
    rota = [i for i, share in enumerate(applicant.buyer_shares) for _ in range(share)]
    number = 0
    for month, count in enumerate(applicant.orders_per_month):
        month_start = as_of - timedelta(days=30 * (MONTHS - month))
        for k in range(count):
            ordered_at = month_start + timedelta(days=1 + k * 29 // max(count, 1), hours=9)
            _order(applicant, tables, number, rota[number % len(rota)], ordered_at, as_of)
            number += 1
    return TradeRecord(applicant.enterprise_id, as_of, tables)


def _enterprise(applicant: Applicant, as_of: datetime) -> Mapping[str, Any]:
    return {
        "enterprise_id": applicant.enterprise_id,
        "name": applicant.name,
        "uscc": applicant.uscc,
        "registered_at": as_of - timedelta(days=365 * 9),
        "region": "QINGDAO",
        "industry_hs2": "84",
        "business_model": "B2B",
        "registered_capital_cny": 5_000_000.0,
        "employees": 120,
        "customs_credit": applicant.customs_credit,
    }


def _buyer_id(applicant: Applicant, index: int) -> str:
    return f"{applicant.enterprise_id}-B{index}"


def _order(
    applicant: Applicant,
    tables: dict[str, list[Mapping[str, Any]]],
    number: int,
    buyer: int,
    ordered_at: datetime,
    as_of: datetime,
) -> None:
    order_id = f"{applicant.enterprise_id}-O{number:04d}"
    quantity = 400.0
    name, country = applicant.buyers[buyer]
    tables["orders"].append(
        {
            "order_id": order_id, "enterprise_id": applicant.enterprise_id,
            "buyer_id": _buyer_id(applicant, buyer), "platform": "OFFLINE",
            "ordered_at": ordered_at, "hs_code": "848180", "quantity": quantity, "unit": "PCS",
            "unit_price": applicant.order_usd / quantity, "currency": "USD",
            "amount": applicant.order_usd, "incoterm": "FOB", "payment_terms": "OA",
            "credit_days": applicant.credit_days,
        }
    )  # fmt: skip
    shipped_at = ordered_at + timedelta(days=12)
    if shipped_at < as_of:
        returned = applicant.returned_every and (number + 1) % applicant.returned_every == 0
        delivered_at = shipped_at + timedelta(days=25)
        arrived = "DELIVERED" if delivered_at < as_of else "IN_TRANSIT"
        tables["waybills"].append(
            {
                "waybill_id": f"{order_id}-W", "order_id": order_id, "carrier": "COSCO",
                "shipped_at": shipped_at,
                "delivered_at": delivered_at if delivered_at < as_of else None,
                "origin": "CN", "destination_country": country, "gross_weight_kg": 900.0,
                "packages": 20,
                "status": "RETURNED" if returned else arrived,
                "quantity": quantity,
            }
        )  # fmt: skip
        tables["declarations"].append(
            {
                "declaration_id": f"{order_id}-D", "order_id": order_id,
                "declared_at": shipped_at - timedelta(days=1), "hs_code": "848180",
                "declared_value": applicant.order_usd, "currency": "USD", "quantity": quantity,
                "customs_status": "RELEASED",
            }
        )  # fmt: skip
    late = applicant.days_late[number % len(applicant.days_late)]
    paid_at = ordered_at + timedelta(days=applicant.credit_days + (late or 0))
    if late is not None and paid_at < as_of:
        tables["payments"].append(
            {
                "payment_id": f"{order_id}-P", "order_id": order_id, "payer_name": name,
                "payer_country": country, "payer_account": f"ACC-{applicant.enterprise_id}-{buyer}",
                "paid_at": paid_at, "amount": applicant.order_usd, "currency": "USD",
                "channel": "BANK",
            }
        )  # fmt: skip


def _loan(applicant: Applicant, index: int, loan: PastLoan, as_of: datetime) -> Mapping[str, Any]:
    disbursed = as_of - timedelta(days=30 * loan.months_ago)
    due = disbursed + timedelta(days=loan.tenor_days)
    repaid = None if loan.days_late is None else due + timedelta(days=loan.days_late)
    return {
        "financing_id": f"{applicant.enterprise_id}-F{index}",
        "enterprise_id": applicant.enterprise_id,
        "product": "RECEIVABLES_FINANCING",
        "amount": loan.amount_usd,
        "currency": "USD",
        "disbursed_at": disbursed,
        "due_at": due,
        "repaid_at": repaid if repaid is not None and repaid < as_of else None,
        "defaulted": loan.days_late is None and due + timedelta(days=90) < as_of,
    }
