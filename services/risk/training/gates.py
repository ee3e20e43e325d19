"""The gates a candidate must pass before it may be promoted, judged once at training time.

- **targets**: out-of-time test AUC at least ``MIN_TEST_AUC``, and calibration not rejected at
  the 5 % level (``MIN_CALIBRATION_P_VALUE``) by Spiegelhalter's z-test on the test period, a
  later period than the one the calibration was fitted on. Spiegelhalter's test needs no
  grouping: with a few dozen defaults, Hosmer–Lemeshow deciles expect one or two defaults each
  and a single default in the best decile rejects a well-calibrated model;
- **parity**: no model feature with PSI over the limit between the training sample and the
  latest serving population (``services.risk.parity``, which also reports the mean raw-score
  gap); a run without a serving population has no parity evidence and fails;
- **challengers**: the champion is not significantly worse (paired bootstrap 95 % interval of
  the AUC difference entirely below zero) than any challenger. Each comparison fails a champion
  as good as its challenger with probability 2.5 % (one side of the interval), so with two
  challengers the gate fails an equally good champion at most 5 % of the time; it fails only
  when a challenger is shown to be better, never because the champion is not shown to win.

The results go into the bundle's metrics; the registry reads them when asked to promote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.stats import norm

MIN_TEST_AUC = 0.75
MIN_CALIBRATION_P_VALUE = 0.05


def spiegelhalter_p(labels: np.ndarray, pd_: np.ndarray) -> float:
    """Two-sided p-value of Spiegelhalter's z: are outcomes consistent with the PDs?"""
    p = np.clip(np.asarray(pd_, dtype=np.float64), 1e-12, 1 - 1e-12)
    y = np.asarray(labels, dtype=np.float64)
    numerator = float(np.sum((y - p) * (1.0 - 2.0 * p)))
    variance = float(np.sum((1.0 - 2.0 * p) ** 2 * p * (1.0 - p)))
    if variance <= 0:
        return 0.0
    return float(2.0 * norm.sf(abs(numerator / np.sqrt(variance))))


def targets_gate(test_auc: float, calibration_p: float) -> dict[str, Any]:
    passed = test_auc >= MIN_TEST_AUC and calibration_p >= MIN_CALIBRATION_P_VALUE
    return {
        "passed": passed,
        "detail": f"test AUC {test_auc:.3f} (needs >= {MIN_TEST_AUC}); calibration "
        f"Spiegelhalter p = {calibration_p:.3f} (needs >= {MIN_CALIBRATION_P_VALUE})",
    }


def parity_gate(parity: Mapping[str, Any]) -> dict[str, Any]:
    if not parity:
        return {"passed": False, "detail": "no serving population to check parity against"}
    return {
        "passed": bool(parity["passed"]),
        "detail": f"max feature PSI {parity['max_psi']:.3f} (limit {parity['psi_limit']}); "
        f"mean raw score gap {parity['mean_raw_score_gap']:+.3f} "
        f"(standard error {parity['mean_raw_score_gap_standard_error']:.3f}; "
        f"{'within' if parity['raw_score_within_limit'] else 'OUTSIDE'} "
        f"{parity['raw_score_limit']})",
    }


def challenger_gate(comparison: Mapping[str, Any]) -> dict[str, Any]:
    worse = [
        f"{name} (difference {d['difference']:+.3f}, "
        f"95 % CI {d['ci95'][0]:+.3f}..{d['ci95'][1]:+.3f})"
        for name, d in comparison["champion_minus"].items()
        if d["verdict"] == "champion is worse"
    ]
    verdicts = "; ".join(f"{n}: {d['verdict']}" for n, d in comparison["champion_minus"].items())
    if worse:
        return {"passed": False, "detail": "significantly worse than " + ", ".join(worse)}
    return {"passed": True, "detail": verdicts}


def all_gates(
    test_auc: float,
    calibration_p: float,
    parity: Mapping[str, Any],
    comparison: Mapping[str, Any],
) -> dict[str, dict[str, Any]]:
    return {
        "targets": targets_gate(test_auc, calibration_p),
        "parity": parity_gate(parity),
        "challengers": challenger_gate(comparison),
    }
