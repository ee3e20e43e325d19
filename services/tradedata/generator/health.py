"""Latent enterprise health: the hidden state behind both trade signals and defaults.

health[e, m] = persistent quality + AR(1) cycle + distress drift. About a fifth of firms enter
a distress episode at a random month and slide for several months; the slide shows in the trade
record (fewer orders, concentrated buyers, slower payments, returns, customs trouble) from the
month it starts, before the defaults it causes; firms that survive recover slowly.
"""

from __future__ import annotations

import numpy as np

from .config import GeneratorConfig
from .streams import stream

AR_COEF = 0.85
CYCLE_SD = 0.6
DISTRESS_SHARE = 0.2


def latent_health(cfg: GeneratorConfig, quality: np.ndarray) -> np.ndarray:
    rng = stream(cfg.seed, "health")
    n, months = int(quality.shape[0]), cfg.months
    cycle = np.empty((n, months))
    cycle[:, 0] = rng.normal(0.0, CYCLE_SD, n)
    innovation_sd = CYCLE_SD * np.sqrt(1 - AR_COEF**2)
    for m in range(1, months):  # a loop over months, vectorised over enterprises
        cycle[:, m] = AR_COEF * cycle[:, m - 1] + rng.normal(0.0, innovation_sd, n)
    distressed = rng.random(n) < DISTRESS_SHARE
    # Episodes start before and during the period, slide for some months, then recover, so the
    # share of firms in distress (and the default rate) stays roughly level over time.
    onset = rng.integers(-12, months, n)
    slope = rng.uniform(0.25, 0.5, n)
    slide = rng.integers(4, 11, n)
    elapsed = np.arange(months)[None, :] - onset[:, None]
    depth = slope[:, None] * np.clip(elapsed, 0, slide[:, None])
    depth -= 0.2 * np.clip(elapsed - slide[:, None], 0, None)
    drift = np.where(distressed[:, None], -np.clip(depth, 0.0, 3.0), 0.0)
    result: np.ndarray = quality[:, None] + cycle + drift
    return result


def sigmoid(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return result
