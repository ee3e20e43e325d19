"""Scoring: an immutable snapshot of one bundle applied to one feature table.

Exact per-feature contributions (`pred_contrib`) cost milliseconds per row, but features
only change when a new table or bundle is loaded. So the snapshot computes raw scores,
contributions, calibrated PDs and reason codes for every enterprise in one batch at load
time, off the request path; a request only looks up its row and applies the tenor, the
score scaling and the policy. The reasons are therefore exact for the score returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from services.common.errors import NotFoundError
from services.risk.domain import Decision, FinancingRequest, FinancingScore, Reason
from services.risk.feature_table import ENTERPRISE_ID, FeatureTable, FeatureTableError
from services.risk.features import encode
from services.risk.model import ModelBundle
from services.risk.policy import DecisionPolicy
from services.risk.psi import PsiMonitor
from services.risk.reasons import top_reasons
from services.risk.scaling import grade_for, pd_for_tenor


@dataclass(frozen=True)
class Precomputed:
    """Per-enterprise results of the batch pass, row-aligned with `ids`."""

    ids: tuple[str, ...]
    raw: np.ndarray
    base_value: float
    pd_horizon: np.ndarray
    volume_usd: np.ndarray
    bins: np.ndarray
    reasons: tuple[tuple[Reason, ...], ...]


def _check_columns(table: FeatureTable, bundle: ModelBundle) -> None:
    missing = [n for n in bundle.metadata.feature_names if n not in table.frame.columns]
    if missing:
        raise FeatureTableError(f"feature table {table.source} lacks model features {missing}")


def precompute(
    bundle: ModelBundle, table: FeatureTable, policy: DecisionPolicy, num_threads: int = 0
) -> Precomputed:
    """The batch pass: contributions for every row, then PDs, bins and reasons."""
    _check_columns(table, bundle)
    meta = bundle.metadata
    x = encode(table.frame, meta.features, meta.categories)
    contrib = np.asarray(
        bundle.booster.predict(x, pred_contrib=True, num_threads=num_threads), dtype=np.float64
    ).reshape(len(x), len(meta.features) + 1)
    raw = contrib.sum(axis=1)
    bins = np.column_stack([ref.bin_index(x[:, j]) for j, ref in enumerate(meta.references)])
    reasons = tuple(
        top_reasons(contrib[i, :-1], x[i], meta.features, meta.categories, policy.reason_count)
        for i in range(len(x))
    )
    return Precomputed(
        ids=tuple(str(v) for v in table.frame.get_column(ENTERPRISE_ID).to_list()),
        raw=raw,
        base_value=float(contrib[0, -1]) if len(x) else 0.0,
        pd_horizon=meta.calibration.apply(raw),
        volume_usd=_volume(table, policy),
        bins=bins.reshape(len(x), len(meta.references)).astype(np.int16),
        reasons=reasons,
    )


def _volume(table: FeatureTable, policy: DecisionPolicy) -> np.ndarray:
    if not policy.volume_feature or policy.volume_feature not in table.frame.columns:
        return np.zeros(len(table.frame))
    column = table.frame.get_column(policy.volume_feature).cast(float).fill_null(0.0)
    return np.asarray(np.nan_to_num(column.to_numpy().astype(np.float64), nan=0.0))


class ScoringSnapshot:
    """Immutable between reloads; the service swaps the whole object atomically."""

    def __init__(
        self,
        bundle: ModelBundle,
        table: FeatureTable,
        policy: DecisionPolicy,
        usd_per_unit: Mapping[str, float],
        monitor: PsiMonitor,
        num_threads: int = 0,
    ) -> None:
        self.bundle = bundle
        self.table_source = table.source
        self.features_as_of = table.as_of
        self.policy = policy
        self.usd_per_unit = dict(usd_per_unit)
        self.monitor = monitor
        self.data = precompute(bundle, table, policy, num_threads)
        self._index = {eid: i for i, eid in enumerate(self.data.ids)}
        self._meta = bundle.metadata
        self._horizon = bundle.metadata.calibration.horizon_days

    @property
    def version(self) -> str:
        return self.bundle.version

    @property
    def enterprise_count(self) -> int:
        return len(self.data.ids)

    def row(self, enterprise_id: str) -> int:
        index = self._index.get(enterprise_id)
        if index is None:
            raise NotFoundError(f"enterprise {enterprise_id!r} not found in the feature table")
        return index

    def score(self, request: FinancingRequest) -> FinancingScore:
        i = self.row(request.enterprise_id)
        data = self.data
        pd = pd_for_tenor(float(data.pd_horizon[i]), self._horizon, request.tenor_days)
        rate = self.usd_per_unit[request.currency]
        limit_usd = self.policy.limit_usd(
            float(data.volume_usd[i]), request.product, request.tenor_days, pd
        )
        decision, notes = self.policy.decide(pd, request.amount * rate, limit_usd)
        self.monitor.observe(data.bins[i])
        return FinancingScore(
            request_id=request.request_id,
            enterprise_id=request.enterprise_id,
            probability_of_default=pd,
            score=self._meta.scaling.points(pd),
            grade=grade_for(pd, self._meta.grade_bands),
            decision=decision,
            recommended_limit=0.0 if decision == Decision.DECLINE else round(limit_usd / rate, 2),
            currency=request.currency,
            reasons=data.reasons[i],
            model_version=self.version,
            raw_score=float(data.raw[i]),
            base_value=data.base_value,
            features_as_of=self.features_as_of,
            policy_notes=notes,
        )
