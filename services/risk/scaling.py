"""Score points, grades and tenor mapping: pure functions of a probability of default."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PD_FLOOR = 1e-6
"""PDs are clipped to [PD_FLOOR, 1 - PD_FLOOR] so odds and points stay finite."""


@dataclass(frozen=True, slots=True)
class ScoreScaling:
    """Points-to-double-the-odds scaling: `base_points` at good:bad odds of `base_odds`:1,
    and every `pdo` points double the odds (score = offset + factor * ln(odds))."""

    base_points: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        return self.base_points - self.factor * math.log(self.base_odds)

    def points(self, pd: float) -> float:
        p = min(max(pd, PD_FLOOR), 1.0 - PD_FLOOR)
        return self.offset + self.factor * math.log((1.0 - p) / p)

    def points_of(self, pds: Iterable[float]) -> list[float]:
        """`points` of every PD (the same arithmetic, the constants worked out once)."""
        offset, factor, low, high = self.offset, self.factor, PD_FLOOR, 1.0 - PD_FLOOR
        log = math.log
        found = []
        for pd in pds:
            p = min(max(pd, low), high)
            found.append(offset + factor * log((1.0 - p) / p))
        return found

    def describe(self) -> str:
        return (
            f"score = {self.offset:.4f} + {self.factor:.4f} * ln((1 - PD) / PD): "
            f"{self.base_points:g} points at {self.base_odds:g}:1 good:bad odds, "
            f"{self.pdo:g} points to double the odds"
        )

    def to_json(self) -> dict[str, float]:
        return {"base_points": self.base_points, "base_odds": self.base_odds, "pdo": self.pdo}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScoreScaling:
        return cls(float(data["base_points"]), float(data["base_odds"]), float(data["pdo"]))


@dataclass(frozen=True, slots=True)
class GradeBand:
    grade: str
    max_pd: float
    """Upper bound (exclusive) of the tenor PD for this grade; the last band takes the rest."""


DEFAULT_GRADE_BANDS: tuple[GradeBand, ...] = (
    GradeBand("AAA", 0.001),
    GradeBand("AA", 0.0025),
    GradeBand("A", 0.005),
    GradeBand("BBB", 0.01),
    GradeBand("BB", 0.03),
    GradeBand("B", 0.08),
    GradeBand("CCC", 1.0 + PD_FLOOR),
)


def grade_for(pd: float, bands: Sequence[GradeBand]) -> str:
    for band in bands:
        if pd < band.max_pd:
            return band.grade
    return bands[-1].grade


def grades_for(pds: np.ndarray, bands: tuple[GradeBand, ...]) -> list[str]:
    """`grade_for` of every PD."""
    edges, names = _band_edges(bands)
    if edges is None:  # bands out of order: the first that fits wins, as in grade_for
        return [grade_for(pd, bands) for pd in pds.tolist()]
    index = np.minimum(np.searchsorted(edges, pds, side="right"), len(names) - 1)
    return [names[i] for i in index.tolist()]


@functools.lru_cache(maxsize=8)
def _band_edges(bands: tuple[GradeBand, ...]) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Upper bounds in increasing order (None when they are not), and the grade names."""
    edges = np.asarray([band.max_pd for band in bands])
    ordered = bool(np.all(np.diff(edges) > 0))
    return (edges if ordered else None), tuple(band.grade for band in bands)


def bands_to_json(bands: Sequence[GradeBand]) -> list[dict[str, Any]]:
    return [{"grade": band.grade, "max_pd": band.max_pd} for band in bands]


def bands_from_json(data: Sequence[Mapping[str, Any]]) -> tuple[GradeBand, ...]:
    return tuple(GradeBand(str(item["grade"]), float(item["max_pd"])) for item in data)
