"""Small synthetic financing data with a known risk signal.

For tests and benchmarks that need a trained bundle and a feature table without running
the trade-data generator; the full pipeline trains on `tradeguard generate` output.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from services.risk.features import CATEGORICAL, FeatureSpec

SPECS = (
    FeatureSpec(
        "overdue_share_6m", "overdue share of buyer payments over 6 months", "share", direction=1
    ),
    FeatureSpec("volume_3m_usd", "export volume over the last 3 months", "USD", direction=-1),
    FeatureSpec("buyer_hhi", "buyer concentration (HHI)", "index", direction=1),
    FeatureSpec("region", "region of the exporter", "category", kind=CATEGORICAL),
    FeatureSpec("noise", "a feature without signal", "count"),
)
VOLUME_FEATURE = "volume_3m_usd"
REGIONS = ("EAST", "NORTH", "SOUTH", "WEST")


def features(n: int, rng: np.random.Generator, shift: float = 0.0) -> pl.DataFrame:
    """`shift` moves the overdue share up, to imitate a drifting population."""
    overdue = np.clip(rng.beta(2, 12, n) + shift, 0, 1)
    volume = rng.lognormal(12, 1, n)
    volume[rng.random(n) < 0.03] = np.nan
    return pl.DataFrame(
        {
            "overdue_share_6m": overdue,
            "volume_3m_usd": volume,
            "buyer_hhi": rng.uniform(0.05, 1.0, n),
            "region": rng.choice(REGIONS, n).tolist(),
            "noise": rng.normal(0, 1, n),
        }
    ).with_columns(pl.col("volume_3m_usd").fill_nan(None))


def true_pd(frame: pl.DataFrame, tenor_days: np.ndarray | None = None) -> np.ndarray:
    """PD over 90 days, or over each tenor (log-odds up by ln(tenor / 90): a longer loan has
    more time to default)."""
    overdue = frame["overdue_share_6m"].to_numpy()
    volume = np.nan_to_num(frame["volume_3m_usd"].to_numpy(), nan=np.exp(12))
    south = (frame["region"] == "SOUTH").to_numpy()
    hhi = frame["buyer_hhi"].to_numpy()
    # Thresholds as well as slopes: arrears past a quarter of receivables and a dominant buyer
    # raise risk in steps, the kind of shape a tree model finds and a linear one does not.
    steps = 1.6 * (overdue > 0.25) + 1.2 * (hhi > 0.75)
    logit = -4.4 + 6.0 * overdue - 0.6 * (np.log(volume) - 12) + 0.4 * hhi + 0.7 * south + steps
    if tenor_days is not None:
        logit = logit + np.log(tenor_days / 90.0)
    return np.asarray(1.0 / (1.0 + np.exp(-logit)))


def financings(n: int = 6000, seed: int = 3) -> pl.DataFrame:
    """Financings over two years with features, tenor and a default drawn from true_pd."""
    rng = np.random.default_rng(seed)
    frame = features(n, rng)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    days = np.sort(rng.integers(0, 720, n))
    tenors = rng.choice([60, 90, 120], n)
    return frame.with_columns(
        pl.Series("disbursed_at", [start + timedelta(days=int(d)) for d in days]),
        pl.Series("tenor_days", tenors),
        pl.Series("defaulted", rng.random(n) < true_pd(frame, tenors.astype(np.float64))),
    )


def feature_table(n: int = 300, seed: int = 11, shift: float = 0.0) -> pl.DataFrame:
    """One row per enterprise (ENT00000...), as the service loads it."""
    rng = np.random.default_rng(seed)
    frame = features(n, rng, shift)
    ids = [f"ENT{i:05d}" for i in range(n)]
    return frame.with_columns(pl.Series("enterprise_id", ids), pl.lit("2026-01-01").alias("as_of"))


def promoted_bundle(models: Path, seed: int = 3, bootstrap_rounds: int = 200) -> Path:
    """Train a candidate on ``financings(seed=seed)`` against ``feature_table()`` and promote
    it through its gates (raises ``PromotionRefused`` if one fails); returns its folder."""
    from services.risk.policy import DecisionPolicy
    from services.risk.registry import promote
    from services.risk.training.trainer import TrainingData, TrainingOptions, train

    data = TrainingData(financings(seed=seed), SPECS, serving=feature_table())
    policy = DecisionPolicy(volume_feature=VOLUME_FEATURE)
    options = TrainingOptions(
        num_threads=1, seed=seed, policy=policy, bootstrap_rounds=bootstrap_rounds
    )
    result = train(data, models, options)
    promote(models, result.version, "synthetic", f"synthetic model, seed {seed}")
    return result.bundle_dir
