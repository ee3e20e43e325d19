import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from services.cli import main
from services.risk import model as model_io
from services.risk.training.fairness import adverse_impact, protected_columns
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


def test_default_protected_names_and_explicit_ones_are_found() -> None:
    columns = ["Age", "personal_status_sex", "marital_status", "percentage_paid", "region"]
    excluded, allowed = protected_columns(columns, named=["region"])
    assert excluded == ["Age", "personal_status_sex", "marital_status", "region"]
    assert allowed == []
    excluded, allowed = protected_columns(columns, allowed=["Age"])
    assert "Age" not in excluded and allowed == ["Age"]


def test_adverse_impact_ratio_by_hand() -> None:
    sex = pl.Series("sex", ["f"] * 10 + ["m"] * 10)
    approved = np.array([True] * 4 + [False] * 6 + [True] * 8 + [False] * 2)
    rows = {g["group"]: g for g in adverse_impact(sex, approved)}
    assert rows["m"]["adverse_impact_ratio"] == pytest.approx(1.0)
    assert rows["f"]["adverse_impact_ratio"] == pytest.approx(0.4 / 0.8)
    assert rows["f"]["below_four_fifths"] and not rows["m"]["below_four_fifths"]
    ages = {g["group"] for g in adverse_impact(pl.Series("age", [19.0, 30, 45, 70]), approved[:4])}
    assert ages == {"< 25", "25 to < 40", "40 to < 60", ">= 60"}


def test_protected_columns_stay_out_of_the_model_and_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(2)
    book = loan_book().with_columns(
        pl.Series("age", rng.integers(18, 80, 1500)),
        pl.Series("personal_status_sex", rng.choice(["f", "m"], 1500).tolist()),
        pl.Series("branch", rng.choice(["north", "south"], 1500).tolist()),
    )
    table = tmp_path / "book.parquet"
    book.write_parquet(table)
    argv = ["train", "risk", "--table", str(table), "--label", "bad", "--out", str(tmp_path)]
    assert main([*argv, "--protected", "branch", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "kept out of the model: age, personal_status_sex, branch" in out
    assert "adverse impact by personal_status_sex" in out
    bundle = model_io.load(model_io.latest_bundle_dir(tmp_path))
    names = set(bundle.metadata.feature_names)
    assert names == {"sector", "days_past_due_avg", "collateral_ok"}
    groups = bundle.metadata.metrics["protected"]["adverse_impact"]["age"]
    assert {g["group"] for g in groups} == {"< 25", "25 to < 40", "40 to < 60", ">= 60"}
    allowed = train_table(
        table, "bad", tmp_path / "allowed", TrainingOptions(num_threads=1), allow_protected=["age"]
    )
    assert "age" in model_io.load(allowed.bundle_dir).metadata.feature_names
    capsys.readouterr()
    assert main([*argv, "--protected", "no_such_column"]) != 0
    assert "protected columns not in the table: no_such_column" in capsys.readouterr().err
