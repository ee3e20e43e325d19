"""Collect every bad field of a request before failing, so a client fixes them all at once."""

from __future__ import annotations

import math

from services.common.errors import FieldViolation, ValidationError


class Violations:
    """Accumulates field violations; ``raise_if_any`` raises one ValidationError with them all."""

    def __init__(self) -> None:
        self._items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self._items.append(FieldViolation(field, description))

    def fraction(
        self, field: str, value: float, *, low: float, high: float, open_low: bool
    ) -> None:
        """Check ``value`` lies in [low, high], or (low, high] when ``open_low``."""
        below = value <= low if open_low else value < low
        if not math.isfinite(value) or below or value > high:
            bracket = "(" if open_low else "["
            self.add(field, f"must be in {bracket}{low:g}, {high:g}], got {value:g}")

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self, message: str = "invalid quote request") -> None:
        if self._items:
            fields = ", ".join(v.field for v in self._items)
            raise ValidationError(f"{message}: {fields}", list(self._items))
