"""The one builder of per-item errors inside streamed and batched responses.

A failed item of ``requests[i]`` answers with an ``ItemError`` whose field paths start with
``requests[i]`` (the client's own path to the bad field), so the client sees the same shape from
every service, and the stream goes on with the next item.
"""

from __future__ import annotations

from services._proto.tradeguard.common.v1 import common_pb2
from services.common.status_mapping import describe


def item_path(index: int, field: str = "", collection: str = "requests") -> str:
    """``requests[3]`` or ``requests[3].amount``: where item ``index``'s field sits."""
    prefix = f"{collection}[{index}]"
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


def item_error(
    error: BaseException, index: int, collection: str = "requests"
) -> common_pb2.ItemError:
    """The ItemError for item ``index`` of ``collection``; internals are never exposed."""
    described = describe(error)
    return common_pb2.ItemError(
        code=described.code.value[0],
        message=described.message,
        reason=described.reason,
        field_violations=[
            common_pb2.FieldViolation(
                field=item_path(index, v.field, collection), description=v.description
            )
            for v in described.field_violations
        ],
    )
