"""Typologies: weighted combinations of rule hits, each with its own alert threshold, and the
alert candidates they raise (deduplicated by a stable key)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.aml.rules.base import Hit, Severity
from services.aml.ruleset import RuleSet

SCREENING = "SCREENING"
SCAN = "SCAN"


@dataclass(slots=True, unsafe_hash=True)
class TypologyScore:
    """A typology's rule score in [0, 1] and the hits behind it."""

    typology: str
    score: float
    hits: tuple[Hit, ...]


@dataclass(slots=True, unsafe_hash=True)
class AlertCandidate:
    """An alert to store for review; the store keeps one per dedup key."""

    dedup_key: str
    typology: str
    severity: Severity
    risk_score: float
    enterprise_id: str
    tenant: str
    source: str
    ruleset_version: str
    evidence: dict[str, Any]
    hits: tuple[Hit, ...] = ()
    members: tuple[str, ...] = ()
    flows: tuple[dict[str, Any], ...] = ()
    order_ids: tuple[str, ...] = field(default=())


def dedup_key(source: str, tenant: str, typology: str, subjects: Iterable[str]) -> str:
    """SHA-256 over the source, tenant, typology and sorted subject ids: the same trade or
    structure always gives the same key, whatever the order the documents arrive in."""
    body = "\x1f".join([source, tenant, typology, *sorted(set(subjects))])
    return hashlib.sha256(body.encode()).hexdigest()


def score_typologies(hits: Iterable[Hit], rules: RuleSet) -> dict[str, TypologyScore]:
    """Weighted sum of the hits' scores per typology, capped at 1."""
    by_rule: dict[str, Hit] = {h.rule: h for h in hits}
    scores: dict[str, TypologyScore] = {}
    if not by_rule:  # most trades: nothing fired
        return scores
    for name, cfg in rules.typologies.items():
        used = tuple(by_rule[r] for r in cfg.weights if r in by_rule)
        if used:
            total = sum(cfg.weights[h.rule] * h.score for h in used)
            scores[name] = TypologyScore(name, min(1.0, total), used)
    return scores


def blended_risk(rule_score: float, model_probability: float | None, rules: RuleSet) -> float:
    """The model's probability blended with the rule score, never below the rule score itself.

    The model lifts trades the rules only half see (and catches what they miss); it does not
    talk down a rule that fired in full - an explicit finding stays a finding."""
    if model_probability is None:
        return rule_score
    w = rules.model_weight
    return max(rule_score, w * model_probability + (1 - w) * rule_score)


def alerting(
    typology: str, rule_score: float, risk: float, has_model: bool, rules: RuleSet
) -> bool:
    """Whether a typology's scores cross its threshold (rule threshold, or the blended one)."""
    cfg = rules.typologies.get(typology)
    if cfg is None or not cfg.alerting:
        return False
    if has_model:
        return risk >= rules.risk_alert_threshold
    return rule_score >= cfg.alert_threshold


def severity_of(hits: Iterable[Hit], risk: float) -> Severity:
    """The worst of the hits' severities and the severity the risk itself implies."""
    worst = Severity.from_score(risk)
    for h in hits:
        worst = h.severity if h.severity.rank > worst.rank else worst
    return worst


def evidence_of(hits: Iterable[Hit], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An alert's evidence: every hit's evidence under its rule name, plus a summary line."""
    items = list(hits)
    return {
        "summary": "; ".join(h.evidence.summary for h in items),
        "rules": {h.rule: h.evidence.to_dict() for h in items},
        **(dict(extra) if extra else {}),
    }
