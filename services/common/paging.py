"""Pages of every list: AIP-158 page sizes, opaque page tokens, and a page that can end early
on any item.

A store fetches one row more than the page size (that row only says whether more follow) and
returns a ``Page`` that knows how to resume after any of its items. The wire layer then keeps
as many items as fit in the response (``page_bytes``) and asks the page for the token after
the last one it kept, so no stored row, however large, can make a page exceed the message
limit or stop a client from paging past it.

A token is the keyset position and the query's fingerprint, MACed: a token is only decoded
after its MAC checks out, so a forged, foreign or damaged token is refused as INVALID_ARGUMENT
before any of its content is read, and a token is only accepted for the query that issued it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from services.common.errors import ValidationError

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list. ``token_after(i)`` is the token that resumes right after
    ``items[i]``; ``more`` says whether rows follow the last item."""

    items: list[T]
    more: bool
    token_after: Callable[[int], str]
    total_size: int | None = None

    @property
    def next_page_token(self) -> str:
        """The token for the rest ("" when this is the last page)."""
        return self.token_after(len(self.items) - 1) if self.more and self.items else ""

    def first(self, count: int) -> Page[T]:
        """This page cut to its first ``count`` items; the others start the next page."""
        if count >= len(self.items):
            return self
        return Page(self.items[:count], True, self.token_after, self.total_size)


def fetched_page(
    rows: list[T], size: int, token_after: Callable[[int], str], total_size: int | None = None
) -> Page[T]:
    """The page of the first ``size`` of ``rows`` (fetched with one extra to tell whether
    more follow)."""
    return Page(rows[:size], len(rows) > size, token_after, total_size)


def page_size_or_default(page_size: int, maximum: int, default: int = DEFAULT_PAGE_SIZE) -> int:
    """AIP-158: 0 means the default, larger than the maximum is coerced, negative is invalid."""
    if page_size < 0:
        raise ValidationError.for_field("page_size", "must not be negative")
    return min(page_size or default, maximum)


def page_bytes(max_message_bytes: int) -> int:
    """Bytes of items one page may carry: at most 1 MiB, and always well inside the message
    limit, so the rest of the response (token, counts) fits beside them."""
    return min(1024 * 1024, max(max_message_bytes // 2, max_message_bytes - 16 * 1024))


def query_scope(*parts: Any) -> str:
    """A short fingerprint of a list query, so a token is only accepted for the same query."""
    return hashlib.sha256(_canonical([str(p) for p in parts]).encode()).hexdigest()[:16]


_MAC_BYTES = 16
_NOT_OURS = "is not a token this server issued"


class PageTokens:
    """Issues and reads the page tokens of one list service, MACed with ``key``."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encode(self, position: Sequence[Any], scope: str) -> str:
        """An opaque token: base64 of the MAC and the JSON keyset position and scope."""
        raw = _canonical({"p": list(position), "s": scope}).encode("utf-8")
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
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise ValidationError.for_field("page_token", _NOT_OURS) from exc
        if not isinstance(data, dict) or not isinstance(data.get("p"), list):
            raise ValidationError.for_field("page_token", _NOT_OURS)
        if data.get("s") != scope:
            raise ValidationError.for_field("page_token", "was issued for a different query")
        return list(data["p"])

    def offset(self, token: str, scope: str) -> int:
        """The row offset held by ``token`` (0 for the first page), for lists paged by offset."""
        position = self.decode(token, scope)
        if position is None:
            return 0
        if len(position) != 1 or type(position[0]) is not int or not 0 <= position[0] < 2**31:
            raise ValidationError.for_field("page_token", _NOT_OURS)
        return position[0]

    def _mac(self, raw: bytes) -> bytes:
        return hmac.new(self._key, raw, hashlib.sha256).digest()[:_MAC_BYTES]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
