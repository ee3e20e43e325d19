"""The buyer default model: trained on one generated data set, judged on another generated with
different settings, and on hand-written buyers whose payment records speak for themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from services.finance.buyer_features import buyer_features
from services.finance.model import BuyerModel, BuyerModelBundle
from services.finance.training.buyer_pd import (
    TrainingOptions,
    as_of_points,
    evaluate,
    labelled_rows,
    train_buyer_model,
)
from services.tradedata.generator import generate
from services.tradedata.generator.config import GeneratorConfig
from services.tradedata.loading import TradeDataset, load_dataset


def _data(root: Path, cfg: GeneratorConfig) -> tuple[TradeDataset, pl.DataFrame]:
    generate(cfg, root)
    return load_dataset(root), pl.read_parquet(root / "labels" / "buyer_defaults.parquet")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> BuyerModelBundle:
    root = tmp_path_factory.mktemp("buyer-train")
    data, defaults = _data(root, GeneratorConfig(enterprises=80, months=30, seed=5))
    trained, metrics = train_buyer_model(data, defaults, TrainingOptions(rounds=50))
    assert metrics["out_of_time"]["rows"] > 0 and metrics["train"]["rows"] > 0
    trained.save(root / "bundle")
    return BuyerModelBundle.load(root / "bundle")


def test_ranks_buyers_of_a_data_set_generated_with_other_settings(
    bundle: BuyerModelBundle, tmp_path: Path
) -> None:
    cfg = GeneratorConfig(enterprises=120, months=24, seed=9, orders_per_month=14.0)
    data, defaults = _data(tmp_path, cfg)
    ordered = data.orders.select("ordered_at").collect()["ordered_at"]
    points = as_of_points(ordered.min(), ordered.max(), bundle.horizon_days)  # type: ignore[arg-type]
    report = evaluate(bundle.booster, labelled_rows(data, defaults, points, bundle.horizon_days))
    assert report["rows"] > 1000 and report["default_rate"] > 0
    assert report["auc"] > 0.55
    # Calibrated to the level of risk, not only its order.
    assert 0.5 < report["mean_predicted"] / report["default_rate"] < 2.0


def _record(buyer: str, days_late: list[int | None], exporters: int) -> dict[str, list[object]]:
    """Monthly invoices of USD 10,000 on 60 days; None: never paid."""
    start = datetime(2025, 1, 5, tzinfo=UTC)
    rows: dict[str, list[object]] = {k: [] for k in ("order", "payment")}
    for i, late in enumerate(days_late):
        ordered = start + timedelta(days=30 * i)
        order_id = f"{buyer}-{i}"
        rows["order"].append(
            {"order_id": order_id, "enterprise_id": f"E{i % exporters}", "buyer_id": buyer,
             "ordered_at": ordered, "amount": 10_000.0, "currency": "USD",
             "payment_terms": "OA", "credit_days": 60}
        )  # fmt: skip
        if late is not None:
            paid = ordered + timedelta(days=60 + late)
            rows["payment"].append({"order_id": order_id, "paid_at": paid, "amount": 10_000.0})
    return rows


def test_hand_written_buyers_are_ordered_by_how_they_pay(bundle: BuyerModelBundle) -> None:
    prompt = _record("B-PROMPT", [0, 2, 0, 1, 0, 3, 0, 1, 2, 0, 0, 1], exporters=3)
    failing = _record("B-FAILING", [5, 20, 45, 60, 80, None, 90, None, None, None, None, None], 3)
    orders = pl.DataFrame(prompt["order"] + failing["order"])
    payments = pl.DataFrame(prompt["payment"] + failing["payment"])
    waybills = pl.DataFrame(
        {"order_id": orders["order_id"], "shipped_at": orders["ordered_at"], "status": "DELIVERED"}
    )
    buyers = pl.DataFrame({"buyer_id": ["B-PROMPT", "B-FAILING"], "country": ["DE", "DE"]})
    as_of = datetime(2026, 2, 1, tzinfo=UTC)
    table = buyer_features(orders.lazy(), payments.lazy(), waybills.lazy(), buyers.lazy(), as_of)
    model = BuyerModel(
        BuyerModelBundle(
            bundle.booster, bundle.horizon_days, table, bundle.version, bundle.metrics,
            bundle.trained_through,
        )
    )  # fmt: skip
    prompt_pd, failing_pd = model.annual_pd("B-PROMPT"), model.annual_pd("B-FAILING")
    assert prompt_pd is not None and failing_pd is not None
    assert failing_pd > 2 * prompt_pd
    assert model.annual_pd("B-NEVER-SEEN") is None
