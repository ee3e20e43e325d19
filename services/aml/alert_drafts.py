"""Detector findings as rows to store: alert candidates, their hits and shadow outcomes."""

from __future__ import annotations

from typing import Any

from services.aml.alert_records import NewAlert
from services.aml.detector import ScreeningResult
from services.aml.rules.base import Hit
from services.aml.screening_store import ShadowRecord
from services.aml.typologies import AlertCandidate


def hit_dict(hit: Hit) -> dict[str, Any]:
    """A rule hit as JSON-ready values (stored in alert evidence and rendered in responses)."""
    return {
        "rule": hit.rule,
        "typology": hit.typology,
        "severity": str(hit.severity),
        "score": float(hit.score),
        "evidence": hit.evidence.to_dict(),
    }


def new_alert(candidate: AlertCandidate) -> NewAlert:
    """A detector's alert candidate as a row to store; its hits travel in the evidence."""
    evidence = {**candidate.evidence, "hits": [hit_dict(h) for h in candidate.hits]}
    return NewAlert(
        tenant=candidate.tenant,
        dedup_key=candidate.dedup_key,
        enterprise_id=candidate.enterprise_id,
        typology=candidate.typology,
        severity=str(candidate.severity),
        risk_score=float(candidate.risk_score),
        source=candidate.source,
        ruleset_version=candidate.ruleset_version,
        evidence=evidence,
        members=tuple(candidate.members),
        flows=tuple(candidate.flows),
        order_ids=tuple(candidate.order_ids),
    )


def shadow_record(result: ScreeningResult, order_id: str) -> ShadowRecord | None:
    """What the shadow rule set would have done with the trade, to record beside it."""
    shadow = result.shadow
    if shadow is None:
        return None
    return ShadowRecord(
        ruleset_version=shadow.ruleset_version,
        live_version=result.ruleset_version,
        subject_key=order_id,
        risk_score=float(shadow.risk_score),
        would_alert=[c.dedup_key for c in shadow.would_alert],
        added=list(shadow.added),
        removed=list(shadow.removed),
    )
