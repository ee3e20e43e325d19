"""A page's items as response messages, within a byte budget.

Whatever a store holds (rows written before today's request bounds, or by anyone with access
to the database), a list response stays inside the message limit: items are kept while they
fit, and the page's token resumes after the last one kept. An item too large to be sent even
alone is sent clipped: its longest texts cut, each ending in a marker that says how much was
cut, its longest lists shortened, until it fits. The stored row is never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from services.common.paging import Page

T = TypeVar("T")
M = TypeVar("M", bound=Message)

#: Bytes an item costs in a repeated field beyond its own size: field tag and length prefix.
ITEM_OVERHEAD = 16
#: Clipping stops shortening texts and lists at this many characters or entries.
_SMALLEST_CAP = 16


def fit_page(page: Page[T], encode: Callable[[T], M], budget: int) -> tuple[list[M], str]:
    """The page's items as messages, as many as fit in ``budget`` bytes (at least one, clipped
    if it must be), and the token for the rest."""
    messages: list[M] = []
    used = 0
    for item in page.items:
        message = encode(item)
        size = message.ByteSize()
        if size > budget:
            size = clip(message, budget)
        used += size + ITEM_OVERHEAD
        if used > budget and messages:
            break
        messages.append(message)
    return messages, page.first(len(messages)).next_page_token


def clip(message: Message, budget: int) -> int:
    """Shorten ``message``'s texts, bytes and lists until it fits in ``budget`` bytes; returns
    its size. Clipped texts end in ``… [N characters clipped]``."""
    original = type(message)()
    original.CopyFrom(message)
    cap = max(budget // 2, _SMALLEST_CAP)
    size = message.ByteSize()
    while size > budget and cap >= _SMALLEST_CAP:
        message.CopyFrom(original)  # each cap is applied to the stored item, not a clipped one
        _clip_fields(message, cap)
        size = message.ByteSize()
        cap //= 2
    return size


def _clip_fields(message: Message, cap: int) -> None:
    for fd, value in message.ListFields():
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            _clip_map(getattr(message, fd.name), fd, cap)
        elif fd.is_repeated:
            _clip_repeated(value, fd, cap)
        elif fd.type == FieldDescriptor.TYPE_MESSAGE:
            _clip_fields(value, cap)
        elif fd.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
            setattr(message, fd.name, _clipped(value, cap))


def _clip_repeated(values: Any, fd: FieldDescriptor, cap: int) -> None:
    del values[cap:]
    if fd.type == FieldDescriptor.TYPE_MESSAGE:
        for item in values:
            _clip_fields(item, cap)
    elif fd.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
        for index, item in enumerate(values):
            values[index] = _clipped(item, cap)


def _clip_map(entries: Any, fd: FieldDescriptor, cap: int) -> None:
    value_field = fd.message_type.fields_by_name["value"]  # type: ignore[union-attr]
    for key in list(entries)[cap:]:
        del entries[key]
    for key in list(entries):
        if isinstance(key, str) and len(key) > cap:
            shortened = _clipped(key, cap)
            if shortened not in entries:
                if value_field.type == FieldDescriptor.TYPE_MESSAGE:
                    entries[shortened].CopyFrom(entries[key])
                else:
                    entries[shortened] = entries[key]
            del entries[key]
    for key in list(entries):
        if value_field.type == FieldDescriptor.TYPE_MESSAGE:
            _clip_fields(entries[key], cap)
        elif value_field.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
            entries[key] = _clipped(entries[key], cap)


def _clipped(value: Any, cap: int) -> Any:
    if len(value) <= cap:
        return value
    if isinstance(value, bytes):
        return value[:cap]
    return f"{value[:cap]}… [{len(value) - cap} characters clipped]"
