"""A length limit on every string field of every request, from the proto descriptors.

The limit follows the field's name, so a new field is bounded the day it is added: identifiers
(``*_id``) 128 characters, codes (``*_code``, ``*_country``) 32, page tokens 1024, free-text
notes and descriptions 4096, every other string 512. Unary requests are checked whole before
the handler runs; streamed items are checked one by one by the service, so a bad item becomes
that item's error and the stream goes on.

This runs for every streamed item, so the common case (nothing too long) is one pass over the
fields that are set, skipping message types that hold no string at all (timestamps); the field
paths are only worked out when something is too long.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from services.common.errors import FieldViolation, ValidationError
from services.common.violations import MAX_CODE_CHARS, MAX_ID_CHARS, MAX_TEXT_CHARS

MAX_TOKEN_CHARS = 1024
MAX_NOTE_CHARS = 4096
_NOTES = frozenset({"note", "notes", "description", "detail", "summary", "message", "comment"})

# Kinds of a field worth visiting: a string, repeated strings, a message, repeated messages.
_STRING, _STRINGS, _MESSAGE, _MESSAGES = 1, 2, 3, 4
#: message full name -> {field name: (kind, limit)}; only fields that can hold a string.
_PLANS: dict[str, dict[str, tuple[int, int]]] = {}


def limit_for(name: str) -> int:
    """The longest value a string field called ``name`` may hold, in characters."""
    if name.endswith(("_id", "_ids")) or name == "id":
        return MAX_ID_CHARS
    if name.endswith(("_code", "_country")):
        return MAX_CODE_CHARS
    if name.endswith("page_token"):
        return MAX_TOKEN_CHARS
    if name in _NOTES or name.endswith("_note"):
        return MAX_NOTE_CHARS
    return MAX_TEXT_CHARS


def _plan(descriptor: Any) -> dict[str, tuple[int, int]]:
    plan = _PLANS.get(descriptor.full_name)
    if plan is not None:
        return plan
    plan = {}
    _PLANS[descriptor.full_name] = plan  # first: a message type may contain itself
    for fd in descriptor.fields:
        if fd.type == FieldDescriptor.TYPE_STRING:
            plan[fd.name] = (_STRINGS if fd.is_repeated else _STRING, limit_for(fd.name))
        elif fd.type == FieldDescriptor.TYPE_MESSAGE and _holds_strings(fd.message_type):
            plan[fd.name] = (_MESSAGES if fd.is_repeated else _MESSAGE, 0)
    return plan


def _holds_strings(descriptor: Any) -> bool:
    # A type that contains itself (none of the request types does) is planned once: its own
    # field then sees the plan built so far.
    return not descriptor.GetOptions().map_entry and bool(_plan(descriptor))


def has_long_string(message: Message) -> bool:
    """Whether any string anywhere in ``message`` is longer than its field's limit."""
    plan = _plan(message.DESCRIPTOR)
    for fd, value in message.ListFields():
        step = plan.get(fd.name)
        if step is None:
            continue
        kind, limit = step
        if kind == _STRING:
            if len(value) > limit:
                return True
        elif kind == _MESSAGE:
            if has_long_string(value):
                return True
        elif kind == _STRINGS:
            if any(len(text) > limit for text in value):
                return True
        elif any(has_long_string(item) for item in value):
            return True
    return False


def string_violations(message: Message, prefix: str = "") -> list[FieldViolation]:
    """One violation per string (anywhere in ``message``) longer than its field's limit."""
    if not has_long_string(message):
        return []
    found: list[FieldViolation] = []
    _collect(message, prefix, found)
    return found


def check_strings(message: Message, message_text: str = "invalid request") -> None:
    """Raise ValidationError listing every over-long string of ``message``."""
    found = string_violations(message)
    if found:
        fields = ", ".join(v.field for v in found)
        raise ValidationError(f"{message_text}: {fields}", found, reason="FIELD_TOO_LONG")


def _collect(message: Message, prefix: str, found: list[FieldViolation]) -> None:
    plan = _plan(message.DESCRIPTOR)
    for fd, value in message.ListFields():
        step = plan.get(fd.name)
        if step is None:
            continue
        kind, limit = step
        path = f"{prefix}.{fd.name}" if prefix else fd.name
        if kind == _STRING and len(value) > limit:
            found.append(FieldViolation(path, f"must be at most {limit} characters"))
        elif kind == _STRINGS:
            for index, text in enumerate(value):
                if len(text) > limit:
                    found.append(
                        FieldViolation(f"{path}[{index}]", f"must be at most {limit} characters")
                    )
        elif kind == _MESSAGE:
            _collect(value, path, found)
        elif kind == _MESSAGES:
            for index, item in enumerate(value):
                _collect(item, f"{path}[{index}]", found)
