"""Small single-question rules over one trade; each returns a Hit with evidence or None."""

from services.aml.rules.base import DocRef, Evidence, Hit, Severity

__all__ = ["DocRef", "Evidence", "Hit", "Severity"]
