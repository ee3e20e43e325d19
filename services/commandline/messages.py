"""Protobuf messages as plain, snake_case JSON values (the `--json` style), field by field.

`MessageToDict` would give camelCase or proto-JSON's int64-as-string and Money as units/nanos;
here Money becomes `{"currency_code": "USD", "amount": "100000.5"}`, every field is present
(defaults included, so scripts see a stable shape) and floats lose their binary noise.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from services.commandline.output import clean_float, decimal_text

_NANO = Decimal("1e-9")
_PLAIN_JSON = {
    "google.protobuf.Struct",
    "google.protobuf.Value",
    "google.protobuf.ListValue",
    "google.protobuf.Duration",
}


def message_dict(message: Message) -> Any:
    """The message as JSON-ready values."""
    name = message.DESCRIPTOR.full_name
    if name == "tradeguard.common.v1.Money":
        return money_dict(message)
    if name == "google.protobuf.Timestamp":
        return message.ToJsonString()  # type: ignore[attr-defined]
    if name in _PLAIN_JSON:
        return MessageToDict(message, preserving_proto_field_name=True)
    return {field.name: _field(message, field) for field in message.DESCRIPTOR.fields}


def money_dict(money: Any) -> dict[str, str]:
    amount = Decimal(money.units) + Decimal(money.nanos) * _NANO
    return {"currency_code": money.currency_code, "amount": decimal_text(amount)}


def _field(message: Message, field: Any) -> Any:
    value = getattr(message, field.name)
    if _is_map(field):
        value_field = field.message_type.fields_by_name["value"]
        return {str(k): _scalar(value_field, v) for k, v in value.items()}
    if _is_repeated(field):
        return [_scalar(field, v) for v in value]
    if field.type == FieldDescriptor.TYPE_MESSAGE and not message.HasField(field.name):
        return None
    return _scalar(field, value)


def _is_repeated(field: Any) -> bool:
    # protobuf 6.32 added `is_repeated` and deprecated `label`.
    repeated = getattr(field, "is_repeated", None)
    if repeated is not None:
        return bool(repeated)
    return bool(field.label == FieldDescriptor.LABEL_REPEATED)


def _is_map(field: Any) -> bool:
    return bool(
        field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry
    )


def _scalar(field: Any, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return message_dict(value)
    if field.type == FieldDescriptor.TYPE_ENUM:
        enum_value = field.enum_type.values_by_number.get(value)
        return enum_value.name if enum_value is not None else value
    if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return clean_float(value)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return value.hex()
    return value
