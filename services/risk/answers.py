"""The answers of one pass of the model over a batch of requests, kept column by column.

PD, points, grade, limit and policy outcome are computed for the whole batch with array
operations, the model reasons in one compiled pass (`reason_table`); row i is turned into
sentences, a `FinancingScore` or a response message only when it is asked for, so a batch
carries no per-row Python objects it does not need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from services.risk.domain import Decision, FinancingRequest, FinancingScore, Reason
from services.risk.model import BundleMetadata
from services.risk.policy import DecisionPolicy, decision_of, outcomes_of
from services.risk.reason_codes import POLICY_CODES, POLICY_THIN_FILE, policy_reason
from services.risk.reason_table import ReasonTable, TopReasons
from services.risk.scaling import grades_for

_POLICY_REASONS: Mapping[str, Reason] = {o: policy_reason(rc) for o, rc in POLICY_CODES.items()}
_THIN_REASON = policy_reason(POLICY_THIN_FILE)


@dataclass(frozen=True, eq=False)
class Answers:
    """Row i answers requests[i]; `thin_file` (a note) keeps every row from approval."""

    requests: Sequence[FinancingRequest]
    model_version: str
    base_value: float
    raw: np.ndarray
    pd: np.ndarray
    points: np.ndarray
    grades: Sequence[str]
    flags: np.ndarray
    """Policy outcomes of each row, as `policy.OUTCOME_BITS`."""
    limits_usd: np.ndarray
    usd_per_unit: np.ndarray
    top: TopReasons
    as_of: Sequence[str]
    policy: DecisionPolicy
    thin_file: str | None = None

    def __len__(self) -> int:
        return len(self.requests)

    def decision(self, i: int) -> Decision:
        decision = decision_of(int(self.flags[i]))
        if self.thin_file is not None and decision == Decision.APPROVE:
            return Decision.REFER  # a thin file goes to a credit officer at best
        return decision

    def recommended_limit(self, i: int, decision: Decision) -> float:
        """In the request's currency, to the cent; none for a decline."""
        if decision == Decision.DECLINE:
            return 0.0
        return round(float(self.limits_usd[i]) / float(self.usd_per_unit[i]), 2)

    def notes(self, i: int) -> tuple[str, ...]:
        notes = self.policy.notes(int(self.flags[i]), float(self.pd[i]))
        return notes if self.thin_file is None else (*notes, self.thin_file)

    def policy_reasons(self, i: int) -> tuple[Reason, ...]:
        """The policy codes of row i's outcome (the thin file's first), without model reasons."""
        found = tuple(_POLICY_REASONS[o] for o in outcomes_of(int(self.flags[i])))
        return found if self.thin_file is None else (_THIN_REASON, *found)

    def explained(self, i: int) -> bool:
        """Whether row i carries the model's reasons: only a REFER or DECLINE on the policy's
        own terms does (a thin file's forced referral names the thin file alone)."""
        return bool(self.flags[i])

    def reasons(self, i: int) -> tuple[Reason, ...]:
        model = self.top.reasons(i) if self.explained(i) else ()
        return (*self.policy_reasons(i), *model)

    def score(self, i: int) -> FinancingScore:
        request = self.requests[i]
        decision = self.decision(i)
        return FinancingScore(
            request_id=request.request_id,
            enterprise_id=request.enterprise_id,
            probability_of_default=float(self.pd[i]),
            score=float(self.points[i]),
            grade=self.grades[i],
            decision=decision,
            recommended_limit=self.recommended_limit(i, decision),
            currency=request.currency,
            reasons=self.reasons(i),
            model_version=self.model_version,
            raw_score=float(self.raw[i]),
            base_value=self.base_value,
            features_as_of=self.as_of[i],
            policy_notes=self.notes(i),
            thin_file=self.thin_file is not None,
        )

    def scores(self) -> list[FinancingScore]:
        return [self.score(i) for i in range(len(self.requests))]


def answer(
    requests: Sequence[FinancingRequest],
    contributions: np.ndarray,
    volume_usd: np.ndarray,
    as_of: Sequence[str],
    *,
    meta: BundleMetadata,
    version: str,
    policy: DecisionPolicy,
    reasons: ReasonTable,
    usd_per_unit: Mapping[str, float],
    thin_file: str | None = None,
) -> Answers:
    """Answers for `requests` from their rows' exact contributions (rows x features + 1, the
    expected value last; each row sums to the raw score)."""
    raw = contributions.sum(axis=1)
    terms = np.asarray(
        [(r.tenor_days, usd_per_unit[r.currency], r.amount) for r in requests], dtype=np.float64
    ).reshape(-1, 3)
    tenors, rates = terms[:, 0], terms[:, 1]
    pds = meta.calibration.apply_at(raw, tenors)
    limits, flags = policy.evaluate(
        pds, terms[:, 2] * rates, volume_usd, [r.product for r in requests], tenors
    )
    return Answers(
        requests=requests,
        model_version=version,
        base_value=float(contributions[0, -1]) if len(requests) else 0.0,
        raw=raw,
        pd=pds,
        points=meta.scaling.points_many(pds),
        grades=grades_for(pds, meta.grade_bands),
        flags=flags,
        limits_usd=limits,
        usd_per_unit=rates,
        top=reasons.top(contributions),
        as_of=as_of,
        policy=policy,
        thin_file=thin_file,
    )
