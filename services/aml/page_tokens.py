"""Paging for every AML list: AIP-158 page sizes and opaque keyset page tokens bound to the
query that issued them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from services.aml import audit
from services.common.errors import ValidationError

DEFAULT_PAGE_SIZE = 50

MAX_PAGE_SIZE = 500

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list and the opaque token for the next ("" when this is the last)."""

    items: list[T]
    next_page_token: str
    total_size: int | None = None


def page_size_or_default(page_size: int) -> int:
    """AIP-158: 0 means the default, larger than the maximum is coerced, negative is invalid."""
    if page_size < 0:
        raise ValidationError.for_field("page_size", "must not be negative")
    return min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def query_scope(*parts: Any) -> str:
    """A short fingerprint of a list query, so a token is only accepted for the same query."""
    return hashlib.sha256(audit.canonical_json([str(p) for p in parts]).encode()).hexdigest()[:16]


def encode_page_token(position: Sequence[Any], scope: str) -> str:
    """An opaque token: base64 JSON of the keyset position and the query fingerprint."""
    raw = audit.canonical_json({"p": list(position), "s": scope}).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_page_token(token: str, scope: str) -> list[Any] | None:
    """The keyset position in `token` (None for the first page); bad tokens are invalid input."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        position, token_scope = list(data["p"]), data["s"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ValidationError.for_field("page_token", "is not a token this server issued") from exc
    if token_scope != scope:
        raise ValidationError.for_field("page_token", "was issued for a different query")
    return position
