"""Feature values on the hand-built data set, worked out by hand, and the no-look-ahead rule."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from services.tradedata.features import (
    CATEGORICAL_FEATURES,
    FEATURE_NAMES,
    FEATURE_REGISTRY,
    compute_features,
    compute_features_at,
)
from services.tradedata.features.table_file import read_as_of, write_feature_table
from services.tradedata.generator import GeneratedData
from services.tradedata.loading import dataset_from_frames

Tables = dict[str, pl.DataFrame]
UTC = UTC
AS_OF = datetime(2024, 7, 1, tzinfo=UTC)

EUR = 1.0713  # reference USD per EUR in services.tradedata.fx
O3_USD = 1000 * EUR  # 500 x 2.00 EUR
V3M = 3200 + 6400  # O1 (16 days before as-of) + O2 (61 days)
V6M = V3M + O3_USD  # + O3 (151 days)
V12M = V6M + 2000  # + O4 (304 days)


def _row(tables: Tables, enterprise: str = "E1") -> dict[str, object]:
    ds = dataset_from_frames(tables)
    frame = compute_features(ds, AS_OF).collect()
    return frame.filter(pl.col("enterprise_id") == enterprise).row(0, named=True)


def test_volume_and_growth_by_hand(tiny: Tables) -> None:
    f = _row(tiny)
    assert f["volume_3m_usd"] == pytest.approx(V3M)
    assert f["volume_6m_usd"] == pytest.approx(V6M)
    assert f["volume_12m_usd"] == pytest.approx(V12M)
    assert (f["orders_3m"], f["orders_12m"]) == (2, 4)
    assert f["growth_3m"] == pytest.approx(math.log((V3M + 1) / (O3_USD + 1)))
    assert f["growth_6m"] == pytest.approx(math.log((V6M + 1) / (2000 + 1)))
    assert f["growth_12m"] == pytest.approx(math.log((V12M + 1) / (5000 + 1)))
    assert f["days_since_last_order"] == pytest.approx(16.0)


def test_volatility_over_monthly_buckets(tiny: Tables) -> None:
    f = _row(tiny)
    # 30.44-day buckets back from as-of: O1 -> 0, O2 -> 2, O3 -> 4, O4 -> 9; others empty.
    mean6 = V6M / 6
    sd6 = math.sqrt((3200**2 + 6400**2 + O3_USD**2) / 6 - mean6**2)
    mean12 = V12M / 12
    sd12 = math.sqrt((3200**2 + 6400**2 + O3_USD**2 + 2000**2) / 12 - mean12**2)
    assert f["volatility_6m"] == pytest.approx(sd6 / mean6)
    assert f["volatility_12m"] == pytest.approx(sd12 / mean12)


def test_concentration_and_country_risk(tiny: Tables) -> None:
    f = _row(tiny)
    b1, b2, b3 = 3200 + 2000, 6400, O3_USD
    assert f["buyer_hhi_12m"] == pytest.approx((b1**2 + b2**2 + b3**2) / V12M**2)
    assert f["top_buyer_share_12m"] == pytest.approx(b2 / V12M)
    assert f["active_buyers_12m"] == 3
    us, ru = b1 + b2, b3  # B1 and B2 are in the US (category 0), B3 in Russia (category 7)
    assert f["country_hhi_12m"] == pytest.approx((us**2 + ru**2) / V12M**2)
    assert f["country_risk_exposure_12m"] == pytest.approx(7 * ru / V12M)
    assert f["high_risk_country_share_12m"] == pytest.approx(ru / V12M)


def test_payment_behaviour(tiny: Tables) -> None:
    f = _row(tiny)
    # Settled delays: O1 0.5 days (prepaid, paid at noon), O2 20 days, O4 10 days (second part).
    assert f["payment_delay_mean_days_12m"] == pytest.approx((0.5 + 20 + 10) / 3)
    assert f["payment_delay_p90_days_12m"] == pytest.approx(10 + 0.8 * (20 - 10))
    assert f["late_payment_share_12m"] == pytest.approx(1 / 3)
    # More than 30 days past due: O2 (paid), O3 (unpaid), O4 (paid); O1 is not yet.
    assert f["overdue_share_12m"] == pytest.approx(O3_USD / (6400 + O3_USD + 2000))


def test_documents_and_customs(tiny: Tables) -> None:
    f = _row(tiny)
    # O1, O2 agree; O3 declares 1500 EUR for 1000 EUR; O4 declares another HS code.
    assert f["doc_match_rate_12m"] == pytest.approx(0.5)
    # Shipped more than 45 days before as-of: O2 (delivered), O3 (never), O4 (delivered).
    assert f["delivery_failure_rate_12m"] == pytest.approx(1 / 3)
    # Shipped more than 60 days before as-of: O3 (returned) and O4.
    assert f["refund_share_12m"] == pytest.approx(O3_USD / (O3_USD + 2000))
    assert f["customs_rejection_rate_12m"] == pytest.approx(0.25)
    assert f["customs_inspection_rate_12m"] == pytest.approx(0.25)


def test_pricing_against_market_reference(tiny: Tables) -> None:
    f = _row(tiny)
    # Market price of 610910 is 3.20 USD: O1 and O4 at market, O2 at 2x, O3 at 2.00 EUR.
    o3 = abs(math.log(2.0 * EUR / 3.2))
    assert f["unit_price_deviation_12m"] == pytest.approx((math.log(2) + o3) / 4)
    assert f["price_outlier_share_12m"] == pytest.approx(0.25)


def test_profile_and_financing_history(tiny: Tables) -> None:
    f = _row(tiny)
    assert f["enterprise_age_days"] == pytest.approx(4 * 365 + 1)
    assert f["volume_to_capital_12m"] == pytest.approx(V12M / (1_000_000 * 0.13761))
    # F1 (late repayment) was disbursed 13 months before as-of: outside the 12-month window.
    assert (f["financings_12m"], f["defaults_12m"], f["late_repayments_12m"]) == (1, 0, 0)
    # F2 (20,000 CNY) is not due yet, so it is outstanding rather than written off.
    assert f["outstanding_financing_usd"] == pytest.approx(20_000 * 0.13761)
    assert (f["customs_credit"], f["business_model"], f["industry_hs2"]) == ("GENERAL", "B2B", "61")


def test_enterprise_without_trade_gets_zeros_and_nulls(tiny: Tables) -> None:
    f = _row(tiny, "E2")
    assert f["volume_12m_usd"] == 0 and f["orders_3m"] == 0 and f["growth_3m"] == 0
    assert f["buyer_hhi_12m"] is None and f["doc_match_rate_12m"] is None
    assert f["enterprise_age_days"] == pytest.approx(182.0)


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _with_future_rows(tables: Tables, extra: Tables) -> Tables:
    """Rows dated on or after as-of: a new order with documents, a late payment of O3 and a
    new financing that defaults."""
    future_order = (
        extra["orders"]
        .filter(pl.col("order_id") == "O1")
        .with_columns(order_id=pl.lit("O9"), ordered_at=pl.lit(AS_OF), amount=pl.lit(99_999.0))
    )
    rows = {
        "orders": future_order,
        "payments": extra["payments"]
        .head(1)
        .with_columns(
            payment_id=pl.lit("P9"),
            order_id=pl.lit("O3"),
            paid_at=pl.lit(_ts("2024-07-10")),
            amount=pl.lit(1000.0),
            currency=pl.lit("EUR"),
        ),
        "waybills": extra["waybills"]
        .head(1)
        .with_columns(
            waybill_id=pl.lit("W9"), order_id=pl.lit("O9"), shipped_at=pl.lit(_ts("2024-07-02"))
        ),
        "declarations": extra["declarations"]
        .head(1)
        .with_columns(
            declaration_id=pl.lit("D9"),
            order_id=pl.lit("O9"),
            declared_at=pl.lit(_ts("2024-07-01T08:00:00")),
        ),
        "financings": extra["financings"]
        .head(1)
        .with_columns(
            financing_id=pl.lit("F9"),
            disbursed_at=pl.lit(AS_OF),
            defaulted=pl.lit(True),
            repaid_at=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
        ),
    }
    return {k: pl.concat([v, rows[k]]) if k in rows else v for k, v in tables.items()}


def test_future_rows_change_nothing(tiny: Tables, make_tiny: Callable[[], Tables]) -> None:
    ds_now = dataset_from_frames(tiny)
    ds_later = dataset_from_frames(_with_future_rows(tiny, make_tiny()))
    now = compute_features(ds_now, AS_OF).collect()
    later = compute_features(ds_later, AS_OF).collect()
    assert_frame_equal(now, later, rel_tol=1e-9)
    # The same rows do count once as-of moves past them.
    moved = compute_features(ds_later, datetime(2024, 7, 20, tzinfo=AS_OF.tzinfo)).collect()
    assert not moved.drop("as_of").equals(later.drop("as_of"))


def test_future_rows_change_nothing_on_generated_data(small_data: GeneratedData) -> None:
    tables = small_data.tables
    cut = datetime(2024, 6, 1, tzinfo=AS_OF.tzinfo)
    early = {
        "orders": tables["orders"].filter(pl.col("ordered_at") < cut),
        "payments": tables["payments"].filter(pl.col("paid_at") < cut),
        "waybills": tables["waybills"].filter(pl.col("shipped_at") < cut),
        "declarations": tables["declarations"].filter(pl.col("declared_at") < cut),
        "financings": tables["financings"].filter(pl.col("disbursed_at") < cut),
    }
    truncated = {**tables, **early}
    # Keep foreign keys intact: documents of orders placed after the cut go with them.
    kept = early["orders"]["order_id"].implode()
    for name in ("payments", "waybills", "declarations"):
        truncated[name] = truncated[name].filter(pl.col("order_id").is_in(kept))
    full = compute_features(dataset_from_frames(tables), cut).collect()
    past = compute_features(dataset_from_frames(truncated), cut).collect()
    # Financing outcomes (repaid_at, defaulted) are facts about the future too; they only
    # count once due or repaid before as-of, which both frames agree on.
    assert_frame_equal(full, past, rel_tol=1e-9)


def test_point_in_time_matches_single_as_of(tiny: Tables) -> None:
    ds = dataset_from_frames(tiny)
    points = pl.DataFrame(
        {
            "enterprise_id": ["E1", "E2", "E1", "E1"],
            "as_of": [date(2024, 7, 1), date(2024, 7, 1), date(2024, 3, 1), date(2024, 7, 1)],
        }
    )
    pit = compute_features_at(ds, points).collect()
    assert pit.height == 3  # duplicate pairs collapse
    for as_of in (date(2024, 7, 1), date(2024, 3, 1)):
        single = compute_features(ds, as_of).collect()
        expected = single.filter(pl.col("enterprise_id") == "E1")
        got = pit.filter((pl.col("enterprise_id") == "E1") & (pl.col("as_of") == expected["as_of"]))
        assert_frame_equal(got, expected, rel_tol=1e-9)


def test_point_in_time_on_generated_financings(small_data: GeneratedData) -> None:
    ds = dataset_from_frames(small_data.tables)
    fin = small_data.tables["financings"].head(40)
    points = fin.select("enterprise_id", pl.col("disbursed_at").alias("as_of"))
    pit = compute_features_at(ds, points).collect()
    assert pit.select("enterprise_id", "as_of").equals(points.unique(maintain_order=True))
    row = pit.row(0, named=True)
    single = compute_features(ds, row["as_of"]).collect()
    expected = single.filter(pl.col("enterprise_id") == row["enterprise_id"])
    assert_frame_equal(pit.head(1), expected, rel_tol=1e-9)


def test_registry_documents_every_column(tiny: Tables) -> None:
    ds = dataset_from_frames(tiny)
    frame = compute_features(ds, AS_OF).collect()
    assert frame.columns == ["enterprise_id", "as_of", *FEATURE_NAMES]
    for spec in FEATURE_REGISTRY.values():
        assert spec.description and spec.unit and spec.monotone in (-1, 0, 1)
    for name in CATEGORICAL_FEATURES:
        assert frame.schema[name] == pl.String


def test_coverage_rule_leaves_windows_reaching_before_the_extract_missing(tiny: Tables) -> None:
    ds = dataset_from_frames(tiny)
    # History from 200 days before as-of: the 3- and 6-month windows are inside it, the 12-month
    # ones are not, and E1 registered years earlier (its older trade is simply not in the data).
    start = datetime(2023, 12, 14, tzinfo=UTC)
    frame = compute_features(ds, AS_OF, history_start=start).collect()
    e1 = frame.filter(pl.col("enterprise_id") == "E1").row(0, named=True)
    assert e1["volume_3m_usd"] == pytest.approx(V3M)
    assert e1["volume_6m_usd"] == pytest.approx(V6M)
    assert e1["growth_3m"] is not None
    for name in ("volume_12m_usd", "growth_6m", "growth_12m", "buyer_hhi_12m", "financings_12m"):
        assert e1[name] is None, name
    assert e1["enterprise_age_days"] == pytest.approx(4 * 365 + 1)
    # E2 registered 182 days before as-of, after the history starts: its whole life is in the
    # data, so its zeros are real zeros.
    e2 = frame.filter(pl.col("enterprise_id") == "E2").row(0, named=True)
    assert e2["volume_12m_usd"] == 0 and e2["growth_12m"] == 0


def test_feature_table_is_written_atomically_with_its_as_of(tiny: Tables, tmp_path: Path) -> None:
    frame = compute_features(dataset_from_frames(tiny), AS_OF).collect()
    out = tmp_path / "tables" / "features.parquet"
    write_feature_table(frame, out)
    assert read_as_of(out) == AS_OF.isoformat()
    assert [p.name for p in out.parent.iterdir()] == ["features.parquet"]
    assert_frame_equal(pl.read_parquet(out), frame)
