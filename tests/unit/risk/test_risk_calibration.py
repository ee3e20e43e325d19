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
