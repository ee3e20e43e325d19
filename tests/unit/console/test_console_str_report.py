"""The suspicious transaction report in the goAML layout, from an alert and its audit trail."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal

from services.console.domain import Alert, AuditEntry, DocumentRef, Flow
from services.console.str_report import build, to_goaml_xml

AT = datetime(2025, 3, 1, tzinfo=UTC)
ORDER = ["rentity_id", "submission_code", "report_code", "entity_reference", "submission_date",
         "currency_code_local", "reporting_person", "reason", "action", "transaction",
         "report_indicators"]  # fmt: skip


def _alert(flows: tuple[Flow, ...] = ()) -> Alert:
    return Alert(
        "A-1", "bank-a", "E1", "THREE_DOC_MISMATCH", "HIGH", 0.9, "REPORTED",
        "Declared value exceeds the order by 30%", {}, (DocumentRef("ORDER", "O-1"),),
        AT, AT, 4, "SCREENING", "r1", "regulator-1/REGULATOR", "filed", flows=flows,
    )  # fmt: skip


def _entry(sequence: int, to_status: str, note: str) -> AuditEntry:
    return AuditEntry(
        sequence, "REVIEWED", "", to_status, "regulator-1/REGULATOR", note, AT, "", ""
    )


TRAIL = [_entry(1, "CONFIRMED", "invoice inflated against the market price"),
         _entry(2, "REPORTED", "sent to the FIU")]  # fmt: skip
PAYMENT = {
    "payment_id": "P-1", "order_id": "O-1", "payer_name": "Gulf Star", "payer_country": "AE",
    "payer_account": "AE07", "paid_at": AT, "amount": 13_000.0, "currency": "USD",
    "channel": "BANK", "enterprise_id": "E1", "buyer_id": "B1", "hs_code": "851712",
}  # fmt: skip
KNOWN = {"E1": {"name": "Ningbo Tools", "country": "CN", "identifier": "91330200MA2AAAAA1X"}}


def test_report_follows_the_goaml_element_order_and_carries_the_case() -> None:
    report = build(_alert(), TRAIL, [PAYMENT], KNOWN, ("RE-1", "Pilot zone office"))
    root = ET.fromstring(to_goaml_xml(report))
    assert list(dict.fromkeys(child.tag for child in root)) == ORDER
    assert root.findtext("report_code") == "STR" and root.findtext("entity_reference") == "A-1"
    assert "invoice inflated" in (root.findtext("reason") or "")
    assert root.findtext("action") == "sent to the FIU"
    transaction = root.find("transaction")
    assert transaction is not None
    assert transaction.findtext("amount_local") == "13000.00"
    assert transaction.findtext("t_from/from_entity/name") == "Gulf Star"
    assert transaction.findtext("t_from/from_country") == "AE"
    assert transaction.findtext("t_to/to_entity/incorporation_number") == "91330200MA2AAAAA1X"
    assert root.findtext("report_indicators/indicator") == "THREE_DOC_MISMATCH"


def test_network_alerts_report_their_flows() -> None:
    flows = (Flow("B1", "E1", Decimal("500.5"), "USD", AT, "O-9"),)
    report = build(_alert(flows), TRAIL, [], KNOWN, ("RE-1", "office"))
    (only,) = report.transactions
    assert only.amount == Decimal("500.50") and only.receiver.name == "Ningbo Tools"


def test_text_is_escaped() -> None:
    alert = _alert()
    trail = [_entry(1, "CONFIRMED", "<script>&"), _entry(2, "REPORTED", "ok")]
    root = ET.fromstring(to_goaml_xml(build(alert, trail, [], {}, ("RE", "x"))))
    assert root.findtext("reason", "").endswith("<script>&")
