from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from services.risk import model as model_io
from services.risk.calibration import PLATT
from services.risk.features import encode
from services.risk.training import synthetic
from services.risk.training.trainer import TrainingData, TrainingOptions, TrainingResult, train


def test_periods_are_out_of_time_and_ordered(trained: TrainingResult) -> None:
    periods = trained.metrics["periods"]
    spans = [
        (datetime.fromisoformat(periods[p]["from"]), datetime.fromisoformat(periods[p]["to"]))
        for p in ("development", "calibration", "test")
    ]
    assert spans[0][1] < spans[1][0] and spans[1][1] < spans[2][0]
    assert sum(periods[p]["rows"] for p in periods) == 6000


def test_model_learns_the_signal_and_is_calibrated(trained: TrainingResult) -> None:
    assert trained.test.auc > 0.7
    assert trained.test.ece < 0.05
    lift = trained.test.lift_by_decile
    assert lift[0]["lift"] > 1.5 > lift[-1]["lift"]
    assert trained.baseline.count == trained.test.count


def test_monotone_direction_is_respected(trained: TrainingResult) -> None:
    bundle = model_io.load(trained.bundle_dir)
    frame = synthetic.feature_table(n=200)
    x = encode(frame, bundle.metadata.features, bundle.metadata.categories)
    column = bundle.metadata.feature_names.index("overdue_share_6m")
    previous = None
    for value in np.linspace(0, 1, 11):
        x[:, column] = value
        raw = bundle.booster.predict(x, raw_score=True)
        if previous is not None:
            assert np.all(raw >= previous - 1e-12)
        previous = raw


def test_bundle_records_report_metrics(trained: TrainingResult) -> None:
    metrics = model_io.load(trained.bundle_dir).metadata.metrics
    for key in ("auc", "ks", "brier", "ece", "calibration_table", "lift_by_decile"):
        assert key in metrics["test"]
        assert key in metrics["baseline_logistic_test"]
    assert metrics["best_iteration"] == trained.best_iteration


def test_platt_calibration_option(tmp_path: Path) -> None:
    data = TrainingData(synthetic.financings(n=3000, seed=9), synthetic.SPECS)
    result = train(data, tmp_path, TrainingOptions(num_threads=1, calibration_method=PLATT))
    calibration = model_io.load(result.bundle_dir).metadata.calibration
    assert calibration.method == PLATT
    assert calibration.a > 0
    assert calibration.horizon_days == pytest.approx(90.0)


def test_single_class_period_is_refused(tmp_path: Path) -> None:
    frame = synthetic.financings(n=600).with_columns(defaulted=False)
    with pytest.raises(ValueError, match="single outcome class"):
        train(TrainingData(frame, synthetic.SPECS), tmp_path, TrainingOptions(num_threads=1))
