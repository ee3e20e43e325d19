"""Out-of-fold scores: every development row scored by a model that did not see it.

The calibration period alone holds a few dozen defaults at the size of the generated data, too
few for a calibration map to be estimated stably (its slope and intercept swing from one data
set to the next, and isotonic steps plateau). Cross-fitting over development gives every row
before the test period an out-of-sample score, so the calibration is fitted on all labelled
history before the test period (out-of-fold development scores plus the final model's scores
of the calibration period) and still never on a row its model was fitted on.

Folds are contiguous blocks in time: a random split would put an exporter's neighbouring
months on both sides and score the held-out rows more confidently than new data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

FOLDS = 5


class Rows(Protocol):
    @property
    def x(self) -> np.ndarray: ...

    @property
    def y(self) -> np.ndarray: ...


FitScore = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
"""Fits a model on (x, y) and returns its raw scores (log-odds) of the held-out x."""


def time_blocks(rows: int, folds: int = FOLDS) -> list[np.ndarray]:
    """Row indices of ``folds`` contiguous blocks of rows sorted by time."""
    if rows < folds:
        raise ValueError(f"{rows} development rows cannot be split into {folds} folds")
    return [block for block in np.array_split(np.arange(rows), folds)]


def out_of_fold(development: Rows, fit_score: FitScore, folds: int = FOLDS) -> np.ndarray:
    """Each development row's raw score from the model fitted on the other folds."""
    scores = np.empty(len(development.y), dtype=np.float64)
    for held_out in time_blocks(len(development.y), folds):
        keep = np.ones(len(development.y), dtype=bool)
        keep[held_out] = False
        if np.unique(development.y[keep]).size < 2:
            raise ValueError("a development fold has a single outcome class; more data needed")
        scores[held_out] = fit_score(
            development.x[keep], development.y[keep], development.x[held_out]
        )
    return scores


def pooled(parts: Sequence[np.ndarray | None]) -> np.ndarray | None:
    """The calibration sample's column from its development and calibration parts."""
    if any(part is None for part in parts):
        return None
    return np.concatenate(
        [np.asarray(part, dtype=np.float64) for part in parts if part is not None]
    )
