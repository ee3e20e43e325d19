"""Suspicious transaction reports in the goAML report layout, for CONFIRMED alerts.

The XML follows goAML's element order for a report: the reporting entity, submission and report
codes, the alert as the entity's own reference, the reason, the action taken, one
<transaction> per payment (or per flow of a network structure) with its sender and receiver,
and the typologies as report indicators. The same values feed the printable HTML view.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from services.console.domain import Alert, AuditEntry

SUBMISSION_CODE = "E"  # electronic submission
REPORT_CODE = "STR"


@dataclass(frozen=True, slots=True)
class ReportParty:
    role: str
    party_id: str
    name: str
    country: str
    identifier: str = ""


@dataclass(frozen=True, slots=True)
class ReportTransaction:
    number: str
    reference: str
    description: str
    at: datetime | None
    mode: str
    amount: Decimal
    currency: str
    sender: ReportParty
    receiver: ReportParty


@dataclass(frozen=True, slots=True)
class StrReport:
    """Everything one report says; rendered as goAML XML and as a print view."""

    entity_id: str
    entity_name: str
    reference: str
    submitted_at: datetime
    reporter: str
    reason: str
    action: str
    indicators: tuple[str, ...]
    transactions: tuple[ReportTransaction, ...]
    parties: tuple[ReportParty, ...]

    @property
    def currency(self) -> str:
        currencies = sorted({t.currency for t in self.transactions})
        return currencies[0] if len(currencies) == 1 else "USD"


def _party(role: str, party_id: str, known: dict[str, dict[str, Any]]) -> ReportParty:
    row = known.get(party_id, {})
    return ReportParty(
        role, party_id, row.get("name", party_id), row.get("country", ""), row.get("identifier", "")
    )


def _payment_transactions(
    payments: list[dict[str, Any]], known: dict[str, dict[str, Any]]
) -> list[ReportTransaction]:
    out = []
    for p in payments:
        payer = ReportParty("payer", p["payer_account"], p["payer_name"], p["payer_country"])
        if p["channel"] == "UNPAID_ORDER":
            payer = _party("buyer", p["buyer_id"], known)
        out.append(
            ReportTransaction(
                number=p["payment_id"],
                reference=p["order_id"],
                description=_description(p),
                at=p["paid_at"],
                mode=p["channel"],
                amount=Decimal(str(p["amount"])).quantize(Decimal("0.01")),
                currency=p["currency"],
                sender=payer,
                receiver=_party("exporter", p["enterprise_id"], known),
            )
        )
    return out


def _description(movement: dict[str, Any]) -> str:
    goods = f"export order {movement['order_id']} (HS {movement['hs_code']})"
    if movement["channel"] == "UNPAID_ORDER":
        return f"Amount owed for {goods}, not paid"
    return f"Payment for {goods}"


def _flow_transactions(alert: Alert, known: dict[str, dict[str, Any]]) -> list[ReportTransaction]:
    return [
        ReportTransaction(
            number=flow.document_id or f"{alert.alert_id}-{i}",
            reference=flow.document_id,
            description=f"{alert.typology.replace('_', ' ').lower()} flow",
            at=flow.at,
            mode="BANK",
            amount=flow.amount.quantize(Decimal("0.01")),
            currency=flow.currency,
            sender=_party("sender", flow.from_party, known),
            receiver=_party("receiver", flow.to_party, known),
        )
        for i, flow in enumerate(alert.flows, start=1)
    ]


def _decision_note(trail: list[AuditEntry], status: str) -> AuditEntry | None:
    return next((e for e in reversed(trail) if e.to_status == status), None)


def build(
    alert: Alert,
    trail: list[AuditEntry],
    payments: list[dict[str, Any]],
    known: dict[str, dict[str, Any]],
    entity: tuple[str, str],
) -> StrReport:
    """The report of a CONFIRMED (or already REPORTED) alert from its evidence and trail."""
    confirmed = _decision_note(trail, "CONFIRMED") or _decision_note(trail, "ESCALATED")
    reported = _decision_note(trail, "REPORTED")
    transactions = _flow_transactions(alert, known) if alert.flows else []
    transactions += _payment_transactions(payments, known)
    parties = {t.sender.party_id: t.sender for t in transactions}
    parties.update({t.receiver.party_id: t.receiver for t in transactions})
    parties.setdefault(alert.enterprise_id, _party("exporter", alert.enterprise_id, known))
    reason = "; ".join(
        part for part in (alert.summary, confirmed.note if confirmed else "") if part
    )
    return StrReport(
        entity_id=entity[0],
        entity_name=entity[1],
        reference=alert.alert_id,
        submitted_at=reported.created_at if reported else datetime.now(UTC),
        reporter=_actor(reported or confirmed),
        reason=reason,
        action=reported.note if reported else "",
        indicators=tuple(dict.fromkeys([alert.typology, *(h.typology for h in alert.hits)])),
        transactions=tuple(transactions),
        parties=tuple(parties.values()),
    )


def _actor(entry: AuditEntry | None) -> str:
    return entry.actor if entry is not None else ""


def _text(parent: ET.Element, tag: str, value: object) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = str(value)
    return element


def _stamp(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if value else ""


def _side(parent: ET.Element, side: str, party: ReportParty) -> None:
    node = ET.SubElement(parent, f"t_{side}")
    _text(node, f"{side}_funds_code", "K")  # K: funds by bank transfer
    entity = ET.SubElement(node, f"{side}_entity")
    _text(entity, "name", party.name)
    if party.identifier:
        _text(entity, "incorporation_number", party.identifier)
    if party.country:
        _text(entity, "incorporation_country_code", party.country)
    _text(node, f"{side}_country", party.country or "UNK")


def _transaction(parent: ET.Element, t: ReportTransaction) -> None:
    node = ET.SubElement(parent, "transaction")
    _text(node, "transactionnumber", t.number)
    _text(node, "internal_ref_number", t.reference)
    _text(node, "transaction_description", t.description)
    _text(node, "date_transaction", _stamp(t.at))
    _text(node, "transmode_code", t.mode)
    _text(node, "amount_local", f"{t.amount:.2f}")
    _side(node, "from", t.sender)
    _side(node, "to", t.receiver)


def to_goaml_xml(report: StrReport) -> bytes:
    """The report as goAML-layout XML (UTF-8, with declaration)."""
    root = ET.Element("report")
    _text(root, "rentity_id", report.entity_id)
    _text(root, "submission_code", SUBMISSION_CODE)
    _text(root, "report_code", REPORT_CODE)
    _text(root, "entity_reference", report.reference)
    _text(root, "submission_date", _stamp(report.submitted_at))
    _text(root, "currency_code_local", report.currency)
    person = ET.SubElement(root, "reporting_person")
    _text(person, "last_name", report.reporter or report.entity_name)
    _text(root, "reason", report.reason)
    _text(root, "action", report.action)
    for transaction in report.transactions:
        _transaction(root, transaction)
    indicators = ET.SubElement(root, "report_indicators")
    for indicator in report.indicators:
        _text(indicators, "indicator", indicator)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
