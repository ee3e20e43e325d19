"""GetModel: what the serving model is, how its score is scaled, and how good it was."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from services._proto.tradeguard.risk.v1 import risk_pb2
from services.risk.api.convert import grade_value, timestamp
from services.risk.model import BundleMetadata, ModelBundle
from services.risk.scoring import ScoringSnapshot

_SECTIONS = (("test", ""), ("baseline_logistic_test", "baseline_"), ("out_of_fold", "oof_"))


def flat_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """Scalar test metrics (auc, ks, brier, ece, ...), the baseline's prefixed `baseline_`."""
    flat = {k: float(v) for k, v in metrics.items() if isinstance(v, int | float)}
    for section, prefix in _SECTIONS:
        values = metrics.get(section, {})
        if isinstance(values, Mapping):
            flat.update(
                {prefix + k: float(v) for k, v in values.items() if isinstance(v, int | float)}
            )
    return flat


def importance_shares(bundle: ModelBundle) -> list[float]:
    gains = np.asarray(bundle.booster.feature_importance("gain"), dtype=np.float64)
    total = gains.sum()
    return (gains / total).tolist() if total > 0 else [0.0] * len(gains)


def _bands(meta: BundleMetadata) -> list[risk_pb2.GradeBand]:
    bands, lower = [], 0.0
    for band in meta.grade_bands:
        upper = min(band.max_pd, 1.0)
        bands.append(risk_pb2.GradeBand(grade=grade_value(band.grade), min_pd=lower, max_pd=upper))
        lower = upper
    return bands


def to_proto(snapshot: ScoringSnapshot) -> risk_pb2.ModelInfo:
    meta = snapshot.bundle.metadata
    features = [
        risk_pb2.FeatureInfo(
            name=s.name,
            description=s.description,
            unit=s.unit,
            importance=share,
            monotone_direction=s.direction,
        )
        for s, share in zip(meta.features, importance_shares(snapshot.bundle), strict=True)
    ]
    return risk_pb2.ModelInfo(
        version=meta.version,
        trained_at=timestamp(meta.trained_at),
        data_fingerprint=meta.data_fingerprint,
        metrics=flat_metrics(meta.metrics),
        features=features,
        score_scaling=risk_pb2.ScoreScaling(
            base_points=meta.scaling.base_points,
            base_odds=meta.scaling.base_odds,
            points_to_double_odds=meta.scaling.pdo,
        ),
        grade_bands=_bands(meta),
        calibration=meta.calibration.method,
        reference_tenor_days=round(meta.calibration.horizon_days),
        features_as_of=timestamp(snapshot.features_as_of),
        enterprises=snapshot.enterprise_count,
    )
