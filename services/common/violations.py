"""The one field-violation collector: every bad field of a request is reported at once.

Wording is shared by every service so a client sees the same description for the same mistake:
``is required``, ``must be at most N characters``, ``must be in [low, high]``.
"""

from __future__ import annotations

import math

from services.common.errors import FieldViolation, ValidationError

MAX_ID_CHARS = 128
"""Longest identifier (request, order, party, alert ids) any service accepts."""
MAX_TEXT_CHARS = 512
"""Longest free-text field (names, addresses, notes, descriptions) any service accepts."""
MAX_CODE_CHARS = 32
"""Longest code field (currency, country, HS code, incoterm-like strings)."""


class FieldViolations:
    """Accumulates violations; ``raise_if_any`` raises one ValidationError with them all."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self._items.append(FieldViolation(field, description))

    def require(self, ok: bool, field: str, description: str) -> None:
        """Record ``description`` for ``field`` unless ``ok``."""
        if not ok:
            self.add(field, description)

    def require_text(self, value: str, field: str, max_chars: int = MAX_TEXT_CHARS) -> None:
        """A non-blank string of at most ``max_chars`` characters."""
        if not value.strip():
            self.add(field, "is required")
        self.limit_text(value, field, max_chars)

    def require_id(self, value: str, field: str) -> None:
        """A non-blank identifier of at most ``MAX_ID_CHARS`` characters."""
        self.require_text(value, field, MAX_ID_CHARS)

    def limit_text(self, value: str, field: str, max_chars: int = MAX_TEXT_CHARS) -> None:
        """An optional string: empty is fine, longer than ``max_chars`` is not."""
        if len(value) > max_chars:
            self.add(field, f"must be at most {max_chars} characters")

    def fraction(
        self, field: str, value: float, *, low: float, high: float, open_low: bool = False
    ) -> None:
        """Check ``value`` lies in [low, high], or (low, high] when ``open_low``."""
        below = value <= low if open_low else value < low
        if not math.isfinite(value) or below or value > high:
            bracket = "(" if open_low else "["
            self.add(field, f"must be in {bracket}{low:g}, {high:g}], got {value:g}")

    def extend(self, violations: list[FieldViolation]) -> None:
        self._items.extend(violations)

    @property
    def items(self) -> list[FieldViolation]:
        return list(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def raise_if_any(self, message: str = "invalid request") -> None:
        """Raise ``<message>: field, field`` with every violation collected so far."""
        if self._items:
            fields = ", ".join(dict.fromkeys(v.field for v in self._items))
            raise ValidationError(f"{message}: {fields}", list(self._items))
