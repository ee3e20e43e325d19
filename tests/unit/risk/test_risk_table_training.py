import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from services.risk import model as model_io
from services.risk.training.table import detect_specs, train_table
from services.risk.training.trainer import TrainingOptions


def loan_book(n: int = 1500, seed: int = 5) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    sector = rng.choice(["textiles", "electronics", "toys"], n)
    dpd = rng.gamma(2.0, 10.0, n)
    logit = -3.0 + 0.08 * dpd + np.where(sector == "toys", 1.0, 0.0)
    return pl.DataFrame(
        {
            "loan_id": [f"L{i}" for i in range(n)],
            "sector": sector.tolist(),
            "days_past_due_avg": dpd,
            "collateral_ok": rng.random(n) < 0.5,
            "bad": (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8),
        }
    )


def test_detects_categoricals_and_drops_identifiers() -> None:
    specs, dropped = detect_specs(loan_book(), "bad")
    kinds = {s.name: s.kind for s in specs}
    assert kinds == {
        "sector": "categorical",
        "days_past_due_avg": "numeric",
        "collateral_ok": "numeric",
    }
    assert dropped == ["loan_id"]


def test_table_training_reports_cv_auc_and_writes_bundle(tmp_path: Path) -> None:
    table = tmp_path / "book.csv"
    loan_book().write_csv(table)
    result = train_table(table, "bad", tmp_path / "models", TrainingOptions(num_threads=1))
    assert len(result.fold_auc) == 5
    assert 0.7 < result.cv_auc <= 1.0
    loaded = model_io.load(result.bundle_dir)
    assert loaded.metadata.metrics["cv_auc"] == pytest.approx(result.cv_auc)
    assert json.loads((result.bundle_dir / "metadata.json").read_text())["categories"]["sector"]


def test_label_must_be_binary(tmp_path: Path) -> None:
    table = tmp_path / "book.parquet"
    loan_book().with_columns(pl.lit(2).alias("bad")).write_parquet(table)
    with pytest.raises(ValueError, match="0/1"):
        train_table(table, "bad", tmp_path, TrainingOptions(num_threads=1))
