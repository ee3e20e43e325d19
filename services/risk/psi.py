"""Population stability index of live traffic against the training reference.

Live observations are kept as bin indices in a fixed-size ring buffer, so memory stays
bounded however much traffic flows, and PSI is recomputed from it on a timer.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from services.risk.features import FeatureSpec

EPSILON = 1e-4
"""Floor on bin shares so an empty bin does not make PSI infinite."""
QUANTILE_BINS = 10


@dataclass(frozen=True, slots=True)
class ReferenceBins:
    """Training distribution of one feature. Numeric: interior quantile edges, then one
    bin for missing values. Categorical: one bin per category code, then unknown/missing."""

    feature: str
    categorical: bool
    edges: tuple[float, ...]
    proportions: tuple[float, ...]

    @property
    def size(self) -> int:
        return len(self.proportions)

    def bin_index(self, encoded: np.ndarray) -> np.ndarray:
        values = np.asarray(encoded, dtype=np.float64)
        missing = np.isnan(values)
        if self.categorical:
            codes = np.where(missing, self.size - 1, np.nan_to_num(values, nan=0.0))
            index = np.clip(codes, 0, self.size - 1).astype(np.int16)
        else:
            index = np.searchsorted(np.asarray(self.edges), values, side="right").astype(np.int16)
            index[missing] = self.size - 1
        return index

    def to_json(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "categorical": self.categorical,
            "edges": list(self.edges),
            "proportions": list(self.proportions),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReferenceBins:
        return cls(
            feature=str(data["feature"]),
            categorical=bool(data["categorical"]),
            edges=tuple(float(v) for v in data["edges"]),
            proportions=tuple(float(v) for v in data["proportions"]),
        )


def reference_bins(spec: FeatureSpec, encoded: np.ndarray, n_categories: int = 0) -> ReferenceBins:
    """Quantile bins (numeric) or category bins from the encoded training column."""
    values = np.asarray(encoded, dtype=np.float64)
    present = values[~np.isnan(values)]
    if spec.is_categorical:
        edges: tuple[float, ...] = ()
        size = n_categories + 1
    else:
        quantiles = (
            np.quantile(present, np.linspace(0, 1, QUANTILE_BINS + 1)[1:-1])
            if len(present)
            else np.array([])
        )
        edges = tuple(float(v) for v in np.unique(quantiles))
        size = len(edges) + 2
    probe = ReferenceBins(spec.name, spec.is_categorical, edges, tuple([0.0] * size))
    counts = np.bincount(probe.bin_index(values), minlength=size).astype(np.float64)
    shares = counts / max(counts.sum(), 1.0)
    return ReferenceBins(spec.name, spec.is_categorical, edges, tuple(shares.tolist()))


def psi(expected: np.ndarray, actual_counts: np.ndarray) -> float:
    """PSI = sum((a - e) * ln(a / e)) over bins, shares floored at EPSILON."""
    total = float(actual_counts.sum())
    if total <= 0:
        return 0.0
    a = np.maximum(actual_counts / total, EPSILON)
    e = np.maximum(np.asarray(expected, dtype=np.float64), EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


class PsiMonitor:
    """Ring buffer of the last `window` observations (one bin index per feature)."""

    def __init__(self, references: Sequence[ReferenceBins], window: int = 10_000) -> None:
        self.references = tuple(references)
        self._buffer = np.zeros((window, len(self.references)), dtype=np.int16)
        self._window = window
        self._next = 0
        self._count = 0
        self._lock = threading.Lock()

    def observe(self, bins: np.ndarray) -> None:
        """Record one row (shape [features]); the request path calls this per score."""
        with self._lock:
            self._buffer[self._next] = bins
            self._next = (self._next + 1) % self._window
            if self._count < self._window:
                self._count += 1

    def observe_many(self, bins: np.ndarray) -> None:
        """Record the rows of one scored batch (shape [rows, features]), in order: row k goes
        where `observe` of the rows one by one would put it."""
        n = len(bins)
        if n <= 1:  # a lone call's row: one assignment, no index arrays
            if n:
                self.observe(bins[0])
            return
        kept = min(n, self._window)  # rows a longer batch's later rows overwrite are skipped
        with self._lock:
            at = (self._next + np.arange(n - kept, n)) % self._window
            self._buffer[at] = bins[n - kept :]
            self._next = (self._next + n) % self._window
            self._count = min(self._window, self._count + n)

    @property
    def observations(self) -> int:
        return self._count

    def compute(self) -> dict[str, float]:
        with self._lock:
            live = self._buffer[: self._count].copy()
        result: dict[str, float] = {}
        for column, ref in enumerate(self.references):
            counts = np.bincount(live[:, column], minlength=ref.size).astype(np.float64)
            result[ref.feature] = psi(np.asarray(ref.proportions), counts)
        return result


@dataclass(frozen=True, slots=True)
class PopulationDrift:
    """PSI of a whole served population (every row of a feature table) for one model."""

    version: str
    features: Mapping[str, float]
    score: float | None
    as_of: datetime | None


def population_psi(references: Sequence[ReferenceBins], bins: np.ndarray) -> dict[str, float]:
    """PSI of each feature over all rows (``bins``: rows x features, reference bin indices)."""
    return {
        ref.feature: psi(
            np.asarray(ref.proportions),
            np.bincount(bins[:, j], minlength=ref.size).astype(np.float64),
        )
        for j, ref in enumerate(references)
    }


def score_psi(reference: ReferenceBins, raw: np.ndarray) -> float:
    counts = np.bincount(reference.bin_index(raw), minlength=reference.size)
    return psi(np.asarray(reference.proportions), counts.astype(np.float64))
