"""What every rule returns: a named hit with severity, score and evidence.

Values made for every screened trade (these, history entries, flow edges, screening results)
are slotted dataclasses hashed by value and never changed once built, not frozen ones: a frozen
dataclass's constructor costs several times as much.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """Alert and hit severity, as in aml.v1.Severity."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @classmethod
    def from_score(cls, score: float) -> Severity:
        if score >= 0.9:
            return cls.HIGH
        if score >= 0.7:
            return cls.MEDIUM
        return cls.LOW

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


@dataclass(slots=True, unsafe_hash=True)
class DocRef:
    """A document named in evidence: ORDER, PAYMENT, WAYBILL, DECLARATION, ENTERPRISE, BUYER."""

    document_type: str
    document_id: str


@dataclass(slots=True, unsafe_hash=True)
class Evidence:
    """What a rule saw: one sentence, the documents, and the figures that disagree."""

    summary: str
    documents: tuple[DocRef, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "documents": [
                {"document_type": d.document_type, "document_id": d.document_id}
                for d in self.documents
            ],
            "details": dict(self.details),
        }


@dataclass(slots=True, unsafe_hash=True)
class Hit:
    """One rule that fired on a trade or structure."""

    rule: str
    typology: str
    severity: Severity
    score: float
    evidence: Evidence


def strength(value: float, threshold: float) -> float:
    """Score of a rule that fired: 0.5 at its threshold, rising to 1.0 at twice the threshold."""
    if threshold <= 0:
        return 1.0
    return max(0.5, min(1.0, 0.5 * value / threshold))


def hit(
    rule: str, typology: str, score: float, evidence: Evidence, severity: Severity | None = None
) -> Hit:
    """Build a hit whose severity follows its score unless given."""
    return Hit(rule, typology, severity or Severity.from_score(score), round(score, 4), evidence)
