"""Latent buyer health: the hidden state behind a foreign buyer's payments and its default.

health[b, m] = quality (better for better grades, with noise: a grade is an outside opinion, not
the truth) + distress drift. About one buyer in seven enters a distress episode at a random
month and slides; the slide shows in how the buyer pays every exporter it buys from (later,
more often late, more left unpaid) from the month it starts, before the default it may cause.
A buyer defaults in month m with a hazard rising as its health falls; from then on it pays
nothing. The default dates are ground truth (``labels/buyer_defaults.parquet``), never a column
of the trade data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .config import GeneratorConfig
from .health import sigmoid
from .parties import buyer_ids
from .streams import stream
from .timebase import DAY_US, Timebase

DISTRESS_SHARE = 0.15
GRADE_WEIGHT = 0.25
#: Monthly default hazard = sigmoid(BASE + SLOPE * health).
HAZARD_BASE = -6.0
HAZARD_SLOPE = -1.4


@dataclass(frozen=True, slots=True)
class BuyerHealth:
    level: np.ndarray  # (buyers, months)
    defaulted_at_us: np.ndarray  # (buyers,), -1 when the buyer has not defaulted

    def at(self, buyer: np.ndarray, t_us: np.ndarray, tb: Timebase) -> np.ndarray:
        """Health of each buyer at each time (the month it falls in)."""
        month = np.clip(np.searchsorted(tb.month_start_us, t_us, side="right") - 1, 0, None)
        result: np.ndarray = self.level[buyer, np.minimum(month, tb.months - 1)]
        return result

    def defaulted(self, buyer: np.ndarray, t_us: np.ndarray) -> np.ndarray:
        """Whether each buyer had defaulted by each time."""
        when = self.defaulted_at_us[buyer]
        result: np.ndarray = (when >= 0) & (t_us >= when)
        return result


def buyer_health(cfg: GeneratorConfig, tb: Timebase, grade: np.ndarray) -> BuyerHealth:
    """Health paths and default dates of every buyer (``grade`` 1..10, 0 unknown)."""
    rng = stream(cfg.seed, "buyer_health")
    n, months = int(grade.shape[0]), tb.months
    known = np.where(grade == 0, 5, grade)
    quality = -GRADE_WEIGHT * (known - 5) + rng.normal(0.0, 0.8, n)
    distressed = rng.random(n) < DISTRESS_SHARE
    onset = rng.integers(-6, months, n)
    slope = rng.uniform(0.3, 0.6, n)
    elapsed = np.arange(months)[None, :] - onset[:, None]
    drift = np.where(distressed[:, None], -np.clip(slope[:, None] * elapsed, 0.0, 3.5), 0.0)
    level = quality[:, None] + drift
    hazard = sigmoid(HAZARD_BASE + HAZARD_SLOPE * level)
    hit = rng.random((n, months)) < hazard
    first = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
    day = rng.integers(0, 28, n)
    at = np.where(first >= 0, tb.month_start_us[np.maximum(first, 0)] + day * DAY_US, -1)
    return BuyerHealth(level, at.astype(np.int64))


def late_shift(health: np.ndarray) -> np.ndarray:
    """Added to the log-odds of paying late: a weak buyer pays late to every exporter."""
    result: np.ndarray = 1.1 * np.maximum(0.0, -health)
    return result


def delay_days(health: np.ndarray) -> np.ndarray:
    """Extra days past due a weak buyer takes."""
    result: np.ndarray = 6.0 * np.maximum(0.0, -health)
    return result


def unpaid_shift(health: np.ndarray) -> np.ndarray:
    """Added to the log-odds of leaving an invoice unpaid."""
    result: np.ndarray = 1.4 * np.maximum(0.0, -health)
    return result


def labels_frame(health: BuyerHealth) -> pl.DataFrame:
    """Ground truth: each buyer's default time (null when it has not defaulted)."""
    at = health.defaulted_at_us
    return pl.DataFrame(
        {
            "buyer_id": buyer_ids(int(at.shape[0])),
            "defaulted_at": pl.Series(np.where(at >= 0, at, 0))
            .cast(pl.Datetime("us", "UTC"))
            .set(pl.Series(at < 0), None),
        }
    )
