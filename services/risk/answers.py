"""The answers of one pass of the model over a batch of requests, kept column by column.

PD comes from the calibration for the whole batch at once and the model reasons from one
compiled pass (`reason_table`); the limit, policy outcome and grade of a large batch come from
array operations, those of a few rows from the one-row rules (the same arithmetic, so a request
gets the same answer alone or in a batch; array set-up would cost a lone call more than the
rules). Row i is turned into sentences, a `FinancingScore` or a response message only when it is
asked for, so a batch carries no per-row objects it does not need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from services.risk.domain import Decision, FinancingRequest, FinancingScore, Reason
from services.risk.model import BundleMetadata
from services.risk.policy import DecisionPolicy, decision_of, outcome_flags, outcomes_of
from services.risk.reason_codes import POLICY_CODES, POLICY_THIN_FILE, policy_reason
from services.risk.reason_table import ReasonTable, TopReasons
from services.risk.scaling import grade_for, grades_for

ARRAY_ROWS = 8
"""From this many rows on, limits, outcomes and grades are computed with array operations."""

_POLICY_REASONS: Mapping[str, Reason] = {o: policy_reason(rc) for o, rc in POLICY_CODES.items()}
_THIN_REASON = policy_reason(POLICY_THIN_FILE)


@dataclass(frozen=True, eq=False)
class Answers:
    """Row i answers requests[i]; `thin_file` (a note) keeps every row from approval."""

    requests: Sequence[FinancingRequest]
    model_version: str
    base_value: float
    raw: Sequence[float]
    pd: Sequence[float]
    points: Sequence[float]
    grades: Sequence[str]
    flags: Sequence[int]
    """Policy outcomes of each row, as `policy.OUTCOME_BITS`."""
    limits_usd: Sequence[float]
    usd_per_unit: Sequence[float]
    top: TopReasons
    as_of: Sequence[str]
    policy: DecisionPolicy
    thin_file: str | None = None

    def __len__(self) -> int:
        return len(self.requests)

    @cached_property
    def decisions(self) -> list[Decision]:
        thin = self.thin_file is not None
        found = []
        for flags in self.flags:
            decision = decision_of(flags)
            if thin and decision == Decision.APPROVE:
                decision = Decision.REFER  # a thin file goes to a credit officer at best
            found.append(decision)
        return found

    @cached_property
    def recommended_limits(self) -> list[float]:
        """In each request's currency, to the cent; none for a decline."""
        return [
            0.0 if decision == Decision.DECLINE else round(limit / rate, 2)
            for limit, rate, decision in zip(
                self.limits_usd, self.usd_per_unit, self.decisions, strict=True
            )
        ]

    def notes(self, i: int) -> tuple[str, ...]:
        notes = self.policy.notes(self.flags[i], self.pd[i])
        return notes if self.thin_file is None else (*notes, self.thin_file)

    def policy_reasons(self, i: int) -> tuple[Reason, ...]:
        """The policy codes of row i's outcome (the thin file's first), without model reasons."""
        found = tuple(_POLICY_REASONS[o] for o in outcomes_of(self.flags[i]))
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
        return FinancingScore(
            request_id=request.request_id,
            enterprise_id=request.enterprise_id,
            probability_of_default=self.pd[i],
            score=self.points[i],
            grade=self.grades[i],
            decision=self.decisions[i],
            recommended_limit=self.recommended_limits[i],
            currency=request.currency,
            reasons=self.reasons(i),
            model_version=self.model_version,
            raw_score=self.raw[i],
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
    tenors = np.asarray([float(r.tenor_days) for r in requests])
    pds = meta.calibration.apply_at(raw, tenors)
    pd = pds.tolist()
    rates = [usd_per_unit[r.currency] for r in requests]
    amounts = [r.amount * rate for r, rate in zip(requests, rates, strict=True)]
    if len(requests) < ARRAY_ROWS:
        limits = [
            policy.limit_usd(volume, r.product, r.tenor_days, p)
            for r, volume, p in zip(requests, volume_usd.tolist(), pd, strict=True)
        ]
        flags = [
            outcome_flags(policy, p, amount, limit)
            for p, amount, limit in zip(pd, amounts, limits, strict=True)
        ]
        grades = [grade_for(p, meta.grade_bands) for p in pd]
    else:
        limit_array, flag_array = policy.evaluate(
            pds, np.asarray(amounts), volume_usd, [r.product for r in requests], tenors
        )
        limits, flags = limit_array.tolist(), flag_array.tolist()
        grades = grades_for(pds, meta.grade_bands)
    return Answers(
        requests=requests,
        model_version=version,
        base_value=float(contributions[0, -1]) if len(requests) else 0.0,
        raw=raw.tolist(),
        pd=pd,
        points=meta.scaling.points_of(pd),
        grades=grades,
        flags=flags,
        limits_usd=limits,
        usd_per_unit=rates,
        top=reasons.top(contributions),
        as_of=as_of,
        policy=policy,
        thin_file=thin_file,
    )
