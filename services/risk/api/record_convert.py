"""risk.v1.TradeRecord -> the domain's TradeRecord: each message field is the contract column of
the same name, so the conversion is by name; the enterprise id comes from the request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import Message

from services._proto.tradeguard.risk.v1 import risk_pb2
from services.common.errors import ValidationError
from services.risk.record import MAX_DOCUMENTS, RECORD_FIELD, TradeRecord

_TABLES = ("buyers", "orders", "payments", "waybills", "declarations", "financings")
_OWNED = frozenset({"orders", "financings"})
"""Tables whose rows name their enterprise: the request's, filled in here."""


def to_record(message: risk_pb2.TradeRecord, enterprise_id: str) -> TradeRecord:
    if not message.HasField("as_of"):
        raise ValidationError.for_field(f"{RECORD_FIELD}.as_of", "required")
    if not message.HasField("enterprise"):
        raise ValidationError.for_field(f"{RECORD_FIELD}.enterprise", "required")
    documents = sum(len(getattr(message, name)) for name in _TABLES)
    if documents > MAX_DOCUMENTS:
        raise ValidationError.for_field(
            RECORD_FIELD, f"must hold at most {MAX_DOCUMENTS} documents, got {documents}"
        )
    tables: dict[str, list[dict[str, Any]]] = {
        "enterprises": [{"enterprise_id": enterprise_id, **_row(message.enterprise)}]
    }
    for name in _TABLES:
        owner = {"enterprise_id": enterprise_id} if name in _OWNED else {}
        tables[name] = [{**owner, **_row(item)} for item in getattr(message, name)]
    return TradeRecord(enterprise_id, _moment(message.as_of), tables)


def _row(message: Message) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        if field.message_type is not None:  # google.protobuf.Timestamp; unset is null
            row[field.name] = (
                _moment(getattr(message, field.name)) if message.HasField(field.name) else None
            )
        elif field.has_presence and not message.HasField(field.name):
            row[field.name] = None
        else:
            row[field.name] = getattr(message, field.name)
    return row


def _moment(stamp: Any) -> datetime:
    moment: datetime = stamp.ToDatetime(tzinfo=UTC)
    return moment


def to_message(record: TradeRecord) -> risk_pb2.TradeRecord:
    """The wire form of a record (clients and tools that hold contract rows)."""
    message = risk_pb2.TradeRecord()
    message.as_of.FromDatetime(record.as_of)
    (profile,) = record.tables["enterprises"]
    _fill(message.enterprise, profile)
    for name in _TABLES:
        for row in record.tables.get(name, ()):
            _fill(getattr(message, name).add(), row)
    return message


def _fill(message: Message, row: Mapping[str, Any]) -> None:
    for field in message.DESCRIPTOR.fields:
        value = row.get(field.name)
        if value is None:
            continue
        if field.message_type is not None:
            getattr(message, field.name).FromDatetime(value)
        else:
            setattr(message, field.name, value)
