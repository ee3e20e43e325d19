"""Bounds every request field has, from the proto descriptors: strings, enums, timestamps.

A string's limit follows the field's name, so a new field is bounded the day it is added:
identifiers (``*_id``) 128 characters, codes (``*_code``, ``*_country``) 32, page tokens 1024,
free-text notes and descriptions 4096, every other string 512. An enum must hold one of its
declared values (proto3 lets any number through), and a timestamp must be a valid one
(0001-01-01..9999-12-31, nanos below a second) so converting it can never overflow.

Unary requests are checked whole before the handler runs; streamed items are checked one by one
by the service, so a bad item becomes that item's error and the stream goes on. This runs for
every streamed item, so the common case (nothing wrong) is one pass over the fields that are set,
skipping message types with nothing to check; paths are worked out only when something is wrong.
"""

from __future__ import annotations

import keyword
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


def out_of_bounds(message: Message) -> bool:
    """Whether any field anywhere in ``message`` breaks its bound."""
    return _checker(message.DESCRIPTOR)(message)


#: message full name -> a function telling whether a message of that type breaks a bound.
_CHECKERS: dict[str, Callable[[Message], bool]] = {}
#: Singular sub-messages are checked in place down to this depth; deeper ones (and a type that
#: contains itself) call their own type's check.
_INLINE_DEPTH = 4


def _checker(descriptor: Any) -> Callable[[Message], bool]:
    """A straight-line check of one message type, built once from its plan: plain attribute
    reads cost a fraction of walking ``ListFields()`` for every streamed item. Sub-messages are
    read in place, set or not: an unset one reads as its defaults (empty strings, the zero enum
    value, the epoch), which break no bound, so no ``HasField`` is needed."""
    found = _CHECKERS.get(descriptor.full_name)
    if found is not None:
        return found
    source = _Source({"checker": _checker, "MIN": MIN_SECONDS, "MAX": MAX_SECONDS})
    source.message("m", descriptor, 1, (descriptor.full_name,))
    text = "\n".join(["def check(m):", *source.lines, "    return False"])
    exec(text, source.scope)  # noqa: S102 - source built from descriptor field names only
    check: Callable[[Message], bool] = source.scope["check"]
    _CHECKERS[descriptor.full_name] = check
    return check


class _Source:
    """The lines of one check function and the values they refer to."""

    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self.lines: list[str] = []
        self._names = 0

    def _name(self, prefix: str, value: Any = None) -> str:
        self._names += 1
        name = f"{prefix}{self._names}"
        if value is not None:
            self.scope[name] = value
        return name

    def message(self, var: str, descriptor: Any, depth: int, path: tuple[str, ...]) -> None:
        """Lines that return True when the message in ``var`` breaks a bound."""
        pad = "    " * depth
        for name, (kind, bound) in _plan(descriptor).items():
            value = f"getattr({var}, {name!r})" if keyword.iskeyword(name) else f"{var}.{name}"
            nested = descriptor.fields_by_name[name].message_type
            if kind in (_STRING, _ENUM, _TIME):
                self._single(pad, value, kind, bound)
            elif kind in (_STRINGS, _ENUMS):
                item = self._name("x")
                self.lines.append(f"{pad}for {item} in {value}:")
                self._single(pad + "    ", item, _STRING if kind == _STRINGS else _ENUM, bound)
            elif kind == _MESSAGE and len(path) < _INLINE_DEPTH and nested.full_name not in path:
                inner = self._name("v")
                self.lines.append(f"{pad}{inner} = {value}")
                self.message(inner, nested, depth, (*path, nested.full_name))
            elif kind == _MESSAGE:
                check = self._name("d", nested)
                self.lines.append(f"{pad}if checker({check})({value}): return True")
            else:
                item = self._name("v")
                self.lines.append(f"{pad}for {item} in {value}:")
                if len(path) < _INLINE_DEPTH and nested.full_name not in path:
                    self.message(item, nested, depth + 1, (*path, nested.full_name))
                else:
                    check = self._name("d", nested)
                    self.lines.append(f"{pad}    if checker({check})({item}): return True")

    def _single(self, pad: str, value: str, kind: int, bound: Any) -> None:
        if kind == _STRING:
            self.lines.append(f"{pad}if len({value}) > {bound}: return True")
        elif kind == _ENUM:
            self.lines.append(f"{pad}if {value} not in {self._name('b', bound)}: return True")
        else:
            t = self._name("t")
            self.lines += [
                f"{pad}{t} = {value}",
                f"{pad}if not (MIN <= {t}.seconds <= MAX and 0 <= {t}.nanos < 1000000000):",
                f"{pad}    return True",
            ]


def bound_violations(message: Message, prefix: str = "") -> list[FieldViolation]:
    """One violation per field (anywhere in ``message``) that breaks its bound."""
    if not out_of_bounds(message):
        return []
    found: list[FieldViolation] = []
    _collect(message, prefix, found)
    return found


def check_bounds(message: Message, message_text: str = "invalid request") -> None:
    """Raise ValidationError listing every field of ``message`` that breaks its bound."""
    found = bound_violations(message)
    if found:
        fields = ", ".join(v.field for v in found)
        raise ValidationError(f"{message_text}: {fields}", found, reason="FIELD_OUT_OF_BOUNDS")


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
