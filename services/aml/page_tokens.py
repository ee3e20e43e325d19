"""Paging for every AML list: AIP-158 page sizes and opaque keyset page tokens bound to the
query that issued them.

A token is the keyset position and the query's fingerprint, MACed with a server key: a token
is only ever decoded after its MAC checks out, so a forged or foreign token is refused as
INVALID_ARGUMENT before any of its content is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
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


_MAC_BYTES = 16
_NOT_OURS = "is not a token this server issued"


class PageTokens:
    """Issues and reads the page tokens of one store, MACed with ``key``."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encode(self, position: Sequence[Any], scope: str) -> str:
        """An opaque token: base64 of the MAC and the JSON keyset position and scope."""
        raw = audit.canonical_json({"p": list(position), "s": scope}).encode("utf-8")
        return base64.urlsafe_b64encode(self._mac(raw) + raw).decode("ascii").rstrip("=")

    def decode(self, token: str, scope: str) -> list[Any] | None:
        """The keyset position in `token` (None for the first page); a token this server did
        not issue, or issued for another query, is invalid input."""
        if not token:
            return None
        try:
            blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (ValueError, binascii.Error) as exc:
            raise ValidationError.for_field("page_token", _NOT_OURS) from exc
        mac, raw = blob[:_MAC_BYTES], blob[_MAC_BYTES:]
        if not hmac.compare_digest(mac, self._mac(raw)):
            raise ValidationError.for_field("page_token", _NOT_OURS)
        data = json.loads(raw)
        if data["s"] != scope:
            raise ValidationError.for_field("page_token", "was issued for a different query")
        return list(data["p"])

    def _mac(self, raw: bytes) -> bytes:
        return hmac.new(self._key, raw, hashlib.sha256).digest()[:_MAC_BYTES]
