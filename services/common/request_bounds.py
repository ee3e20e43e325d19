"""Bounds every request field has, from the proto descriptors: strings, enums, timestamps.

A string's limit follows the field's name, so a new field is bounded the day it is added:
identifiers (``*_id``) 128 characters, codes (``*_code``, ``*_country``) 32, page tokens 1024,
free-text notes and descriptions 4096, every other string 512. An enum must hold one of its
declared values (proto3 lets any number through), and a timestamp must be a valid one
(0001-01-01..9999-12-31, nanos below a second) so converting it can never overflow.

Unary requests are checked whole before the handler runs; streamed items are checked one by one
by the service, so a bad item becomes that item's error and the stream goes on. This runs for
every call and every streamed item, so the common case (nothing wrong) is one straight-line
function per message type, compiled once from the descriptors, that reads only what can be
wrong: enums and timestamps always, strings only when the message is larger than their limit
(a 30-byte request cannot hold a 33-character code), nested messages only when they hold
something to read. Paths are worked out only when something is wrong.
"""

from __future__ import annotations

import keyword
import threading
from collections.abc import Callable
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from services.common.errors import FieldViolation, ValidationError
from services.common.violations import MAX_CODE_CHARS, MAX_ID_CHARS, MAX_TEXT_CHARS

MAX_TOKEN_CHARS = 1024
MAX_NOTE_CHARS = 4096
_NOTES = frozenset({"note", "notes", "description", "detail", "summary", "message", "comment"})
_TIMESTAMP = "google.protobuf.Timestamp"
#: 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range of google.protobuf.Timestamp.
MIN_SECONDS, MAX_SECONDS = -62_135_596_800, 253_402_300_799

# What to do with a set field: check a string, strings, an enum, enums, a timestamp, or visit
# a message or messages.
_STRING, _STRINGS, _ENUM, _ENUMS, _TIME, _MESSAGE, _MESSAGES = range(7)
#: message full name -> {field name: (kind, bound)}; only fields with something to check.
_PLANS: dict[str, dict[str, tuple[int, Any]]] = {}


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


def _plan(descriptor: Any) -> dict[str, tuple[int, Any]]:
    plan = _PLANS.get(descriptor.full_name)
    if plan is not None:
        return plan
    plan = {}
    # Registered first: a type that contains itself (no request type does) sees this plan.
    _PLANS[descriptor.full_name] = plan
    for fd in descriptor.fields:
        step = _step(fd)
        if step is not None:
            plan[fd.name] = step
    return plan


def _step(fd: FieldDescriptor) -> tuple[int, Any] | None:
    repeated = fd.is_repeated
    if fd.type == FieldDescriptor.TYPE_STRING:
        return (_STRINGS if repeated else _STRING, limit_for(fd.name))
    if fd.type == FieldDescriptor.TYPE_ENUM and fd.enum_type is not None:
        return (_ENUMS if repeated else _ENUM, frozenset(v.number for v in fd.enum_type.values))
    if fd.type != FieldDescriptor.TYPE_MESSAGE or fd.message_type is None:
        return None
    if fd.message_type.full_name == _TIMESTAMP and not repeated:
        return (_TIME, None)
    if fd.message_type.GetOptions().map_entry or not _plan(fd.message_type):
        return None
    return (_MESSAGES if repeated else _MESSAGE, None)


def _wrong(kind: int, bound: Any, value: Any) -> bool:
    """Whether a single value breaks its bound (strings, enums, timestamps)."""
    if kind == _STRING:
        return bool(len(value) > bound)
    if kind == _ENUM:
        return value not in bound
    return not (MIN_SECONDS <= value.seconds <= MAX_SECONDS and 0 <= value.nanos < 1_000_000_000)


def out_of_bounds(message: Message, size: int | None = None) -> bool:
    """Whether any field anywhere in ``message`` breaks its bound. ``size``: the length of the
    bytes ``message`` was decoded from (every string in it was read from those bytes, so none
    is longer), which spares working out its ByteSize."""
    try:
        check = _ENTRIES[type(message)]
    except KeyError:
        with _BUILD_LOCK:  # once per message type; concurrent first calls wait for it
            check = _ENTRIES.get(type(message)) or _entry(message.DESCRIPTOR)
            _ENTRIES[type(message)] = check
    return check(message, size)


#: String limits, smallest first. A message of n bytes cannot hold a string of more than n
#: characters (UTF-8 takes at least a byte per character), so a check only reads the string
#: fields whose limit is below the message's size: small requests skip every string.
_TIERS: tuple[int, ...] = tuple(
    sorted({MAX_CODE_CHARS, MAX_ID_CHARS, MAX_TEXT_CHARS, MAX_TOKEN_CHARS, MAX_NOTE_CHARS})
)
#: message class -> its check (ByteSize picks the variant).
_ENTRIES: dict[type, Callable[[Message, int | None], bool]] = {}
#: (message full name, tier) -> the straight-line check of that type reading only the strings
#: whose limit is below ``_TIERS[tier]`` (every string past the last tier), or None when that
#: leaves nothing to check.
_VARIANTS: dict[tuple[str, int], Callable[[Message], bool] | None] = {}
_BUILDING: set[tuple[str, int]] = set()
_BUILD_LOCK = threading.Lock()


def _entry(descriptor: Any) -> Callable[[Message, int | None], bool]:
    """A message type's check: its size picks the variant that reads only the strings that
    could be too long at that size."""
    variants = [_variant(descriptor, tier) for tier in range(len(_TIERS) + 1)]
    if not any(variants):
        return _nothing_to_check
    lines = ["def check(m, n):", "    if n is None: n = m.ByteSize()"]
    scope: dict[str, Any] = {}
    for tier, variant in enumerate(variants):
        scope[f"v{tier}"] = variant
        call = "False" if variant is None else f"v{tier}(m)"
        if tier < len(_TIERS):
            lines.append(f"    if n <= {_TIERS[tier]}: return {call}")
        else:
            lines.append(f"    return {call}")
    check: Callable[[Message, int | None], bool] = _compiled(lines, scope)
    return check


def _nothing_to_check(message: Message, size: int | None = None) -> bool:
    return False


def _variant(descriptor: Any, tier: int) -> Callable[[Message], bool] | None:
    """The check of ``descriptor``'s type for messages of at most ``_TIERS[tier]`` bytes (the
    last tier: any size); nested messages are never larger, so they use the same tier."""
    key = (descriptor.full_name, tier)
    if key in _VARIANTS:
        return _VARIANTS[key]
    if key in _BUILDING:  # a type that contains itself: bound late, looked up when called
        return lambda m: (_VARIANTS[key] or _nothing_to_check)(m)
    _BUILDING.add(key)
    try:
        lines = ["def check(m):"]
        scope: dict[str, Any] = {"MIN": MIN_SECONDS, "MAX": MAX_SECONDS}
        for index, (name, (kind, bound)) in enumerate(_plan(descriptor).items()):
            if kind in (_STRING, _STRINGS) and tier < len(_TIERS) and bound >= _TIERS[tier]:
                continue  # cannot be too long in a message this small
            nested, cyclic = None, False
            if kind in (_MESSAGE, _MESSAGES):
                nested_type = descriptor.fields_by_name[name].message_type
                cyclic = (nested_type.full_name, tier) in _BUILDING
                nested = _variant(nested_type, tier)
                if nested is None:
                    continue
            scope[f"b{index}"], scope[f"c{index}"] = bound, nested
            lines.extend(_check_lines(name, kind, f"b{index}", f"c{index}", cyclic))
        variant = _compiled([*lines, "    return False"], scope) if len(lines) > 1 else None
    finally:
        _BUILDING.discard(key)
    _VARIANTS[key] = variant
    return variant


def _compiled(lines: list[str], scope: dict[str, Any]) -> Any:
    exec("\n".join(lines), scope)  # noqa: S102 - source built from descriptor field names only
    return scope["check"]


def _check_lines(name: str, kind: int, bound: str, nested: str, cyclic: bool) -> list[str]:
    """Source lines that return True when field ``name`` breaks its bound. An unset message
    field reads as an empty message, which is within every bound (empty strings, enum 0,
    timestamp 0), so it is checked without asking HasField first, which costs more than
    reading it; except where the type leads back to itself (``cyclic``: the edge that closes
    a cycle of types), so that checking empty messages ends."""
    value = f"getattr(m, {name!r})" if keyword.iskeyword(name) else f"m.{name}"
    if kind == _STRING:
        return [f"    if len({value}) > {bound}: return True"]
    if kind == _STRINGS:
        return [f"    for x in {value}:", f"        if len(x) > {bound}: return True"]
    if kind == _ENUM:
        return [f"    if {value} not in {bound}: return True"]
    if kind == _ENUMS:
        return [f"    for x in {value}:", f"        if x not in {bound}: return True"]
    if kind == _TIME:  # an unset timestamp reads as 0 s, 0 ns: valid
        return [
            f"    t = {value}",
            "    if not (MIN <= t.seconds <= MAX and 0 <= t.nanos < 1000000000): return True",
        ]
    if kind == _MESSAGE and cyclic:
        return [f"    if m.HasField({name!r}) and {nested}({value}): return True"]
    if kind == _MESSAGE:
        return [f"    if {nested}({value}): return True"]
    return [f"    for x in {value}:", f"        if {nested}(x): return True"]


def bound_violations(message: Message, prefix: str = "") -> list[FieldViolation]:
    """One violation per field (anywhere in ``message``) that breaks its bound."""
    if not out_of_bounds(message):
        return []
    found: list[FieldViolation] = []
    _collect(message, prefix, found)
    return found


def check_bounds(message: Message, message_text: str = "invalid request") -> None:
    """Raise ValidationError listing every field of ``message`` that breaks its bound."""
    error = bounds_error(message, message_text=message_text)
    if error is not None:
        raise error


def bounds_error(
    message: Message, size: int | None = None, message_text: str = "invalid request"
) -> ValidationError | None:
    """The ValidationError ``check_bounds`` raises for ``message``, or None when it is within
    bounds; ``size`` as for ``out_of_bounds``."""
    if not out_of_bounds(message, size):
        return None
    found = bound_violations(message)
    if not found:
        return None
    fields = ", ".join(v.field for v in found)
    return ValidationError(f"{message_text}: {fields}", found, reason="FIELD_OUT_OF_BOUNDS")


def _describe(kind: int, bound: Any) -> str:
    if kind in (_STRING, _STRINGS):
        return f"must be at most {bound} characters"
    if kind in (_ENUM, _ENUMS):
        return "is not a known value"
    return "must be a valid timestamp between 0001-01-01 and 9999-12-31"


def _collect(message: Message, prefix: str, found: list[FieldViolation]) -> None:
    plan = _plan(message.DESCRIPTOR)
    for fd, value in message.ListFields():
        step = plan.get(fd.name)
        if step is None:
            continue
        kind, bound = step
        path = f"{prefix}.{fd.name}" if prefix else fd.name
        if kind == _MESSAGE:
            _collect(value, path, found)
        elif kind == _MESSAGES:
            for index, item in enumerate(value):
                _collect(item, f"{path}[{index}]", found)
        elif kind in (_STRINGS, _ENUMS):
            single = _STRING if kind == _STRINGS else _ENUM
            for index, item in enumerate(value):
                if _wrong(single, bound, item):
                    found.append(FieldViolation(f"{path}[{index}]", _describe(kind, bound)))
        elif _wrong(kind, bound, value):
            found.append(FieldViolation(path, _describe(kind, bound)))
