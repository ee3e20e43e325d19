"""A healthy model's calibration passes its gate on any generated data set, not on a lucky one.

The generator draws the same kind of book for every seed; only the draw differs. So every seed's
candidate, trained as `tradeguard train risk` trains it, must pass the targets gate (test AUC and
Spiegelhalter's calibration test on the later test period) and the parity gate. A calibration
fitted on the calibration period's few dozen defaults alone failed the calibration test for
seed 11 (p = 0.03); fitted on every labelled row before the test period it does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.cli import main
from services.risk import model as model_io
from services.tradedata.generator import GeneratorConfig, generate

# Each seed generates and trains a demo-size book: a minute on a quiet machine, more when shared.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SEEDS = (0, 3, 7, 11, 42)
"""The generator's default seed and four others, among them 11, whose calibration once failed."""


@pytest.mark.parametrize("seed", SEEDS)
def test_every_seed_s_candidate_is_calibrated_and_at_parity(seed: int, tmp_path: Path) -> None:
    data, models = tmp_path / "data", tmp_path / "models"
    generate(GeneratorConfig(enterprises=300, months=36, seed=seed), data)
    argv = ["train", "risk", "--data", str(data), "--out", str(models), "--threads", "1", "--json"]
    assert main(argv) == 0
    metrics = model_io.load(model_io.latest_bundle_dir(models)).metadata.metrics
    gates = metrics["gates"]
    for name in ("targets", "parity"):
        assert gates[name]["passed"], f"seed {seed}, {name}: {gates[name]['detail']}"
    # The calibration is fitted on out-of-fold development scores and the calibration period.
    periods = metrics["periods"]
    assert metrics["calibration_sample"]["rows"] == (
        periods["development"]["rows"] + periods["calibration"]["rows"]
    )
