"""Hypothesis strategies that build any request message from its proto descriptor.

Besides ordinary values, every field is drawn with the inputs that break servers: strings past
every length limit, enum numbers the schema does not declare, timestamps outside any calendar,
non-finite and extreme numbers, and empty messages.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

MAX_DEPTH = 3
_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "USD", "CN", "BR", "ENT00001", "B-100", "850440", "x" * 129]),
    st.sampled_from(["x" * 600, "y" * 5000, "\x00", "../etc", "é" * 40]),
)
_INT32 = st.one_of(st.integers(-(2**31), 2**31 - 1), st.integers(-3, 1000))
_INT64 = st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-3, 10**6))
_UINT64 = st.integers(0, 2**64 - 1)
_FLOAT = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e3, 1e7))
_SECONDS = st.one_of(
    st.integers(1_500_000_000, 1_900_000_000), st.integers(-(2**62), 2**62), st.just(0)
)
_NANOS = st.one_of(st.just(0), st.integers(-(2**31), 2**31 - 1))


def _scalar(fd: FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = fd.type
    if kind == FieldDescriptor.TYPE_STRING:
        return _TEXT
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=16)
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return _FLOAT
    if kind == FieldDescriptor.TYPE_ENUM:
        declared = [v.number for v in fd.enum_type.values]
        return st.one_of(st.sampled_from(declared), st.integers(-2, 200))
    if kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return st.integers(0, 2**32 - 1)
    if kind in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return _UINT64
    if kind in (
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_SFIXED64,
    ):
        return _INT64
    return _INT32


def _timestamp(descriptor: Descriptor) -> st.SearchStrategy[Message]:
    cls = GetMessageClass(descriptor)
    return st.builds(lambda s, n: cls(seconds=s, nanos=n), _SECONDS, _NANOS)


def _value(fd: FieldDescriptor, depth: int) -> st.SearchStrategy[Any] | None:
    if fd.type != FieldDescriptor.TYPE_MESSAGE:
        return _scalar(fd)
    if fd.message_type.GetOptions().map_entry:
        return None
    if fd.message_type.full_name == "google.protobuf.Timestamp":
        return _timestamp(fd.message_type)
    if depth >= MAX_DEPTH:
        return None
    return messages(fd.message_type, depth + 1)


def messages(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    """Messages of ``descriptor``'s type with any subset of their fields set."""
    cls = GetMessageClass(descriptor)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for fd in descriptor.fields:
        value = _value(fd, depth)
        if value is None:
            continue
        drawn = st.lists(value, max_size=3) if fd.is_repeated else value
        fields[fd.name] = st.one_of(st.none(), drawn)
    return st.fixed_dictionaries(fields).map(lambda values: _build(cls, values))


def _build(cls: type[Message], values: dict[str, Any]) -> Message:
    message = cls()
    for name, value in values.items():
        if value is None:
            continue
        fd = cls.DESCRIPTOR.fields_by_name[name]
        target = getattr(message, name)
        if fd.is_repeated:
            if fd.type == FieldDescriptor.TYPE_MESSAGE:
                for item in value:
                    target.add().CopyFrom(item)
            else:
                target.extend(value)
        elif fd.type == FieldDescriptor.TYPE_MESSAGE:
            target.CopyFrom(value)
        else:
            setattr(message, name, value)
    return message


#: Bytes that are not a message of any type, or barely one.
UNDECODABLE = st.one_of(
    st.sampled_from([b"\x0b", b"\xff\xff\xff\xff", b"\x0a\xff\x01", b"\x08\x80\x80\x80\x80"]),
    st.binary(min_size=1, max_size=40),
)
