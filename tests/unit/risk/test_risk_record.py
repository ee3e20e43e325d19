"""Scoring from an applicant's own trade record: the same features as the served table (one
pipeline), new applicants, thin files and malformed documents."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from services.common.errors import NotFoundError, ValidationError
from services.risk import model as model_io
from services.risk.domain import Decision, FinancingRequest, Product
from services.risk.feature_table import from_frame
from services.risk.psi import PsiMonitor
from services.risk.record import TradeRecord, extract_record, record_features
from services.risk.scoring import ScoringSnapshot
from services.risk.training.dataset import training_data_from_dir
from services.risk.training.trainer import TrainingOptions, train, with_policy
from services.tradedata.features import compute_features
from services.tradedata.generator import GeneratorConfig, generate
from services.tradedata.loading import TradeDataset, load_dataset

AS_OF = datetime(2025, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def trade(tmp_path_factory: pytest.TempPathFactory) -> tuple[TradeDataset, Path]:
    out = tmp_path_factory.mktemp("trade")
    generate(GeneratorConfig(enterprises=250, months=24, seed=11), out)
    return load_dataset(out), out


@pytest.fixture(scope="module")
def bundle_dir(trade: tuple[TradeDataset, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, policy = training_data_from_dir(trade[1])
    models = tmp_path_factory.mktemp("models")
    return train(data, models, with_policy(TrainingOptions(num_threads=1), policy)).bundle_dir


def record_of(ds: TradeDataset, enterprise_id: str) -> TradeRecord:
    return extract_record(ds, enterprise_id, AS_OF)


def _enterprises(ds: TradeDataset, count: int) -> list[str]:
    active = ds.orders.filter(pl.col("ordered_at") < AS_OF).group_by("enterprise_id").len()
    busy = active.filter(pl.col("len") >= 30).sort("enterprise_id").collect()
    return [str(v) for v in busy["enterprise_id"].head(count).to_list()]


def test_features_from_a_record_equal_the_served_table(trade: tuple[TradeDataset, Path]) -> None:
    ds = trade[0]
    table = compute_features(ds, AS_OF).collect()
    for enterprise in _enterprises(ds, 3):
        expected = table.filter(pl.col("enterprise_id") == enterprise)
        # Equal up to the order of floating-point sums inside polars' group-bys.
        got = record_features(record_of(ds, enterprise))
        assert_frame_equal(got, expected, check_exact=False, rel_tol=1e-12, abs_tol=1e-15)


def _snapshot(bundle_dir: Path, table: pl.DataFrame) -> ScoringSnapshot:
    bundle = model_io.load(bundle_dir)
    monitor = PsiMonitor(bundle.metadata.references, window=100)
    served = from_frame(table, "test", AS_OF.date().isoformat())
    return ScoringSnapshot(bundle, served, bundle.metadata.policy, {"USD": 1.0}, monitor)


def _request(enterprise: str) -> FinancingRequest:
    return FinancingRequest("r", enterprise, Product.ORDER_FINANCING, 5_000.0, "USD", 90)


def test_a_record_scores_like_its_table_row(
    trade: tuple[TradeDataset, Path], bundle_dir: Path
) -> None:
    ds = trade[0]
    snapshot = _snapshot(bundle_dir, compute_features(ds, AS_OF).collect())
    for enterprise in _enterprises(ds, 3):
        from_table = snapshot.score(_request(enterprise))
        from_record = snapshot.score_record(_request(enterprise), record_of(ds, enterprise))
        assert from_record.raw_score == pytest.approx(from_table.raw_score, abs=1e-12)
        assert from_record.probability_of_default == pytest.approx(
            from_table.probability_of_default, rel=1e-12
        )
        assert [(r.feature, r.message) for r in from_record.reasons] == [
            (r.feature, r.message) for r in from_table.reasons
        ]
        for ours, theirs in zip(from_record.reasons, from_table.reasons, strict=True):
            assert ours.contribution == pytest.approx(theirs.contribution, abs=1e-12)
        assert not from_record.thin_file
        assert from_record.features_as_of.startswith(AS_OF.date().isoformat())


def test_an_applicant_missing_from_the_table_is_scored_from_its_record(
    trade: tuple[TradeDataset, Path], bundle_dir: Path
) -> None:
    ds = trade[0]
    newcomer = _enterprises(ds, 1)[0]
    table = compute_features(ds, AS_OF).collect().filter(pl.col("enterprise_id") != newcomer)
    snapshot = _snapshot(bundle_dir, table)
    with pytest.raises(NotFoundError):
        snapshot.score(_request(newcomer))
    score = snapshot.score_record(_request(newcomer), record_of(ds, newcomer))
    assert 0 < score.probability_of_default < 1
    assert score.reasons or score.decision == Decision.APPROVE  # reasons explain adverse actions


def test_a_thin_file_is_flagged_and_never_approved(
    trade: tuple[TradeDataset, Path], bundle_dir: Path
) -> None:
    ds = trade[0]
    enterprise = _enterprises(ds, 1)[0]
    full = record_of(ds, enterprise)
    recent = [o for o in full.tables["orders"] if o["ordered_at"] >= AS_OF - timedelta(days=45)]
    thin = replace(full, tables={**full.tables, "orders": recent, "payments": [], "waybills": []})
    thin = replace(thin, tables={**thin.tables, "declarations": []})
    snapshot = _snapshot(bundle_dir, compute_features(ds, AS_OF).collect())
    score = snapshot.score_record(_request(enterprise), thin)
    assert score.thin_file
    assert score.decision != Decision.APPROVE
    assert any(note.startswith("thin file:") for note in score.policy_notes)


def test_malformed_documents_name_every_bad_field(trade: tuple[TradeDataset, Path]) -> None:
    ds = trade[0]
    record = record_of(ds, _enterprises(ds, 1)[0])
    orders = [dict(o) for o in record.tables["orders"]]
    orders[0]["amount"] = -5.0
    orders[1]["currency"] = "XXQ"
    payments = [dict(p) for p in record.tables["payments"]]
    payments[0]["order_id"] = "NO-SUCH-ORDER"
    bad = replace(record, tables={**record.tables, "orders": orders, "payments": payments})
    with pytest.raises(ValidationError) as caught:
        record_features(bad)
    fields = {v.field for v in caught.value.field_violations}
    assert "trade_record.orders[0].amount" in fields
    assert "trade_record.orders[1].currency" in fields
    assert "trade_record.payments[0].order_id" in fields


def test_a_record_over_the_size_bound_is_refused(trade: tuple[TradeDataset, Path]) -> None:
    ds = trade[0]
    record = record_of(ds, _enterprises(ds, 1)[0])
    flood = [dict(record.tables["orders"][0], order_id=f"O{i}") for i in range(5001)]
    with pytest.raises(ValidationError, match="at most 5000 documents"):
        record_features(replace(record, tables={**record.tables, "orders": flood}))


def test_record_messages_carry_every_contract_column() -> None:
    """The wire record converts by column name: a new contract column needs its proto field."""
    from services._proto.tradeguard.risk.v1 import risk_pb2
    from services.tradedata.schemas import TABLES

    messages = {
        "enterprises": risk_pb2.RecordEnterprise,
        "buyers": risk_pb2.RecordBuyer,
        "orders": risk_pb2.RecordOrder,
        "payments": risk_pb2.RecordPayment,
        "waybills": risk_pb2.RecordWaybill,
        "declarations": risk_pb2.RecordDeclaration,
        "financings": risk_pb2.RecordFinancing,
    }
    for table, message in messages.items():
        fields = {f.name for f in message.DESCRIPTOR.fields} | {"enterprise_id"}
        assert set(TABLES[table].column_names) <= fields, table
