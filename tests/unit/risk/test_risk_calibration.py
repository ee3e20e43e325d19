"""PD calibration keeps the regulatory floor: no exporter is scored as riskless."""

from __future__ import annotations

import numpy as np
import pytest

from services.risk.calibration import ANNUAL_PD_FLOOR
from services.risk.training.calibration import fit_isotonic, fit_platt


def test_isotonic_pd_never_falls_below_the_annual_floor_over_its_horizon() -> None:
    raw = np.linspace(-6.0, 0.0, 200)
    labels = (raw > -0.5).astype(int)  # the best 90 % never default in validation
    calibrator = fit_isotonic(raw, labels, horizon_days=365.0)
    pd = calibrator.apply(np.array([-6.0, -3.0, 0.0]))
    assert pd[0] == pytest.approx(ANNUAL_PD_FLOOR)
    assert pd[1] == pytest.approx(ANNUAL_PD_FLOOR)
    assert pd[2] > 0.5


def test_floor_scales_with_the_calibration_horizon() -> None:
    raw = np.linspace(-8.0, 2.0, 400)
    labels = (raw > 1.5).astype(int)
    calibrator = fit_platt(raw, labels, horizon_days=182.5)
    # Constant hazard: half a year of a 0.05 % annual PD is 1 - 0.9995 ** 0.5.
    assert calibrator.pd_floor == pytest.approx(1 - 0.9995**0.5)
    assert calibrator.apply(np.array([-8.0]))[0] == pytest.approx(calibrator.pd_floor)


def test_platt_estimates_the_term_structure_from_the_data() -> None:
    # Hand-built outcomes: the same exporters default twice as often over 180 days as over 60
    # (log-odds up by ln 3 per tripling of the tenor), so the tenor coefficient is about 1.
    rng = np.random.default_rng(0)
    raw = rng.normal(-3.0, 1.0, 40_000)
    tenor = rng.choice([60.0, 180.0], 40_000)
    true = 1.0 / (1.0 + np.exp(-(raw + np.log(tenor / 90.0))))
    labels = (rng.random(40_000) < true).astype(int)
    calibrator = fit_platt(raw, labels, horizon_days=90.0, tenors=tenor)
    assert calibrator.tenor_coef == pytest.approx(1.0, abs=0.1)
    assert calibrator.tenor_range == (60.0, 180.0)
    short, long = calibrator.apply_at(np.array([-3.0, -3.0]), np.array([60.0, 180.0]))
    assert short < calibrator.apply(np.array([-3.0]))[0] < long
    assert calibrator.validates(120) and not calibrator.validates(360)
    assert not calibrator.validates(30)


def test_platt_calibration_has_no_plateaus() -> None:
    raw = np.linspace(-6.0, 0.0, 2000)
    rng = np.random.default_rng(1)
    labels = (rng.random(2000) < 1.0 / (1.0 + np.exp(-raw))).astype(int)
    pd = fit_platt(raw, labels, horizon_days=90.0).apply(np.linspace(-4.0, -1.0, 300))
    assert len(np.unique(pd)) == 300  # strictly increasing, unlike isotonic steps
