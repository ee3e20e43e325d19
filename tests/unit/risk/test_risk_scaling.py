import math

import pytest

from services.risk.scaling import (
    DEFAULT_GRADE_BANDS,
    ScoreScaling,
    grade_for,
)


def test_base_points_at_base_odds() -> None:
    scaling = ScoreScaling(600, 50, 20)
    assert scaling.points(1 / 51) == pytest.approx(600.0)


def test_doubling_the_odds_adds_pdo_points() -> None:
    scaling = ScoreScaling(600, 50, 20)
    pd_50 = 1 / 51
    pd_100 = 1 / 101
    assert scaling.points(pd_100) - scaling.points(pd_50) == pytest.approx(20.0)


def test_points_finite_at_extremes() -> None:
    scaling = ScoreScaling()
    assert math.isfinite(scaling.points(0.0))
    assert math.isfinite(scaling.points(1.0))
    assert scaling.points(0.0) > scaling.points(1.0)


def test_grades_worsen_with_pd() -> None:
    order = [band.grade for band in DEFAULT_GRADE_BANDS]
    grades = [
        grade_for(pd, DEFAULT_GRADE_BANDS) for pd in (0.0001, 0.002, 0.004, 0.008, 0.02, 0.05, 0.5)
    ]
    assert grades == order
    assert grade_for(1.0, DEFAULT_GRADE_BANDS) == "CCC"


def test_points_of_many_pds_equal_points_of_each() -> None:
    scaling = ScoreScaling(base_points=650.0, base_odds=30.0, pdo=25.0)
    pds = [0.0, 1e-9, 0.0004, 0.02, 0.5, 0.97, 1.0]
    assert scaling.points_of(pds) == [scaling.points(pd) for pd in pds]  # bit for bit
