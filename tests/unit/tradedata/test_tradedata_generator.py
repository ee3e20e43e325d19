"""The generator: deterministic, contract-valid, and its injected typologies are as configured
and visible in the documents."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from services.tradedata import fx, hs
from services.tradedata.generator import (
    STRUCTURE_TYPOLOGIES,
    TRADE_TYPOLOGIES,
    GeneratedData,
    GeneratorConfig,
    TypologyRates,
    generate,
    generate_tables,
)
from services.tradedata.loading import load_dataset
from services.tradedata.schemas import TABLES

TINY = GeneratorConfig(enterprises=100, months=6, seed=5, orders_per_month=4.0)


def _labelled(data: GeneratedData, typology: str) -> pl.Series:
    return data.trade_labels.filter(pl.col("typology") == typology)["order_id"]


def test_same_seed_same_data() -> None:
    a, b = generate_tables(TINY), generate_tables(TINY)
    for name in TABLES:
        assert_frame_equal(a.tables[name], b.tables[name])
    assert_frame_equal(a.trade_labels, b.trade_labels)
    assert_frame_equal(a.structure_labels, b.structure_labels)


def test_other_seed_other_data() -> None:
    a, b = generate_tables(TINY), generate_tables(replace(TINY, seed=6))
    assert not a.tables["orders"].equals(b.tables["orders"])


def test_written_data_passes_validation(small_data: GeneratedData, small_dir: Path) -> None:
    ds = load_dataset(small_dir)
    assert ds.orders.select(pl.len()).collect().item() == small_data.orders
    for name, frame in small_data.tables.items():
        assert frame.columns == list(TABLES[name].column_names), name
    config = json.loads((small_dir / "labels" / "config.json").read_text())
    assert config["config"]["typologies"]["phantom_shipment"] == 0.005
    assert config["extract_end"] == "2024-09-01T00:00:00Z"


def test_csv_output_passes_validation(tmp_path: Path) -> None:
    data = generate_tables(TINY)
    streamed = generate(replace(TINY, file_format="csv"), tmp_path)
    assert (tmp_path / "orders.csv").is_file() and streamed.tables == {}
    assert streamed.rows_by_table == data.rows_by_table
    ds = load_dataset(tmp_path)
    assert_frame_equal(ds.orders.collect(), data.tables["orders"])
    watchlist = ds.watchlist.collect()
    assert watchlist["aliases"].to_list() == data.tables["watchlist"]["aliases"].to_list()
    assert_frame_equal(
        pl.read_parquet(tmp_path / "labels" / "trade_labels.parquet"), data.trade_labels
    )


def test_trade_typology_rates_match_configuration() -> None:
    rates = TypologyRates(
        three_doc_mismatch=0.02,
        phantom_shipment=0.01,
        over_invoicing=0.015,
        under_invoicing=0.005,
        third_party_payer=0.02,
        structuring=0.004,
        negative_list_party=0.008,
        shell_exporter=0.04,
    )
    data = generate_tables(replace(TINY, typologies=rates))
    base_orders = data.orders - sum(len(ids) for ids in data.structure_labels["order_ids"])
    for typology in TRADE_TYPOLOGIES:
        count = _labelled(data, typology).len()
        assert abs(count - rates.share(typology) * base_orders) <= 1, typology
    shells = data.party_labels.filter(pl.col("typology") == "SHELL_EXPORTER")
    assert shells.height == round(0.04 * TINY.enterprises)


def test_structure_counts_match_configuration(small_data: GeneratedData) -> None:
    counts = dict(small_data.structure_labels.group_by("typology").len().iter_rows())
    assert counts == {t: 3 for t in STRUCTURE_TYPOLOGIES}
    order_ids = set(small_data.tables["orders"]["order_id"])
    parties = set(small_data.tables["enterprises"]["enterprise_id"]) | set(
        small_data.tables["buyers"]["buyer_id"]
    )
    for row in small_data.structure_labels.iter_rows(named=True):
        assert set(row["order_ids"]) <= order_ids and len(row["order_ids"]) >= 3
        assert set(row["member_ids"]) <= parties


def test_phantom_shipments_are_paid_but_never_shipped(small_data: GeneratedData) -> None:
    phantom = _labelled(small_data, "PHANTOM_SHIPMENT").implode()
    t = small_data.tables
    assert phantom.list.len().item() > 0
    assert t["waybills"].filter(pl.col("order_id").is_in(phantom)).height == 0
    assert t["declarations"].filter(pl.col("order_id").is_in(phantom)).height == 0
    paid = t["payments"].filter(pl.col("order_id").is_in(phantom))["order_id"].n_unique()
    assert paid == phantom.list.len().item()


def _price_ratio(data: GeneratedData) -> pl.DataFrame:
    return data.tables["orders"].with_columns(
        (
            fx.to_usd("unit_price", "currency")
            / pl.col("hs_code")
            .str.slice(0, 6)
            .replace_strict(hs.market_prices(), return_dtype=pl.Float64)
        ).alias("ratio")
    )


def test_invoicing_typologies_stand_out_from_the_exporters_own_prices(
    small_data: GeneratedData,
) -> None:
    """Mispriced orders stand 1.8x above or below what their exporter charges for the goods;
    honest orders stay near it, though some exporters' own lines (premium or economy ranges)
    sit far from the market."""
    ratio = _price_ratio(small_data).with_columns(hs6=pl.col("hs_code").str.slice(0, 6))
    labelled = small_data.trade_labels["order_id"].implode()
    clean = ratio.filter(~pl.col("order_id").is_in(labelled))
    lines = clean.group_by("enterprise_id", "hs6").agg(line=pl.col("ratio").median())
    own = ratio.join(lines, on=["enterprise_id", "hs6"]).with_columns(
        own=pl.col("ratio") / pl.col("line")
    )
    over = own.filter(pl.col("order_id").is_in(_labelled(small_data, "OVER_INVOICING").implode()))
    under = own.filter(pl.col("order_id").is_in(_labelled(small_data, "UNDER_INVOICING").implode()))
    honest = own.filter(~pl.col("order_id").is_in(labelled))
    assert over["own"].min() > 1.8 and under["own"].max() < 0.55
    assert honest["own"].is_between(0.55, 1.8).mean() > 0.995
    off_market = ~clean["ratio"].is_between(0.55, 1.8)
    assert 0.01 < off_market.mean() < 0.15  # premium and economy lines, honestly priced


def test_third_party_payers_are_unrelated(small_data: GeneratedData) -> None:
    t = small_data.tables
    ids = _labelled(small_data, "THIRD_PARTY_PAYER").implode()
    paid = (
        t["payments"]
        .filter(pl.col("order_id").is_in(ids))
        .join(t["orders"].select("order_id", "buyer_id"), on="order_id")
        .join(t["buyers"].select("buyer_id", "name", "country"), on="buyer_id")
    )
    assert paid.height > 0
    abroad = (paid["payer_country"] != paid["country"]).mean()
    assert 0.5 < abroad < 0.9  # mostly from offshore centres, some local
    assert (paid["payer_name"] != paid["name"]).all()


def test_registered_parents_pay_some_of_their_buyers_invoices(small_data: GeneratedData) -> None:
    t = small_data.tables
    owned = t["relations"].filter(pl.col("relation") == "OWNERSHIP")
    paid = (
        t["payments"]
        .filter(pl.col("payer_account").str.starts_with("PA"))
        .join(t["orders"].select("order_id", "buyer_id"), on="order_id")
        .join(owned.select(buyer_id="party_a", parent="party_b"), on="buyer_id")
        .join(t["buyers"].select(parent="buyer_id", parent_name="name"), on="parent")
        .join(t["buyers"].select("buyer_id", "name"), on="buyer_id")
    )
    own = t["payments"].filter(pl.col("channel") == "BANK").height
    assert 0.003 < paid.height / own < 0.05  # every parent payment has its registered parent
    assert paid.height == t["payments"]["payer_account"].str.starts_with("PA").sum()
    brand = paid["name"].str.split(" ").list.first()
    assert (paid["parent_name"].str.split(" ").list.first() == brand).all()
    assert (paid["payer_name"] != paid["name"]).all()
    assert not paid["order_id"].is_in(small_data.trade_labels["order_id"].implode()).any()


def test_structuring_splits_payments_below_threshold(small_data: GeneratedData) -> None:
    ids = _labelled(small_data, "STRUCTURING").implode()
    pays = small_data.tables["payments"].filter(pl.col("order_id").is_in(ids))
    per_order = pays.group_by("order_id").agg(
        pl.len().alias("n"),
        pl.col("amount").max().alias("top"),
        (pl.col("paid_at").max() - pl.col("paid_at").min()).alias("span"),
    )
    assert (per_order["n"] >= 3).all()
    assert per_order["top"].max() < 50_000 and pays["amount"].min() >= 0.9 * 50_000 - 1
    assert (pays["currency"] == "USD").all()
    assert per_order["span"].max().total_seconds() <= 7 * 86_400  # type: ignore[union-attr]


def test_negative_list_buyers_use_disguised_watchlist_names(small_data: GeneratedData) -> None:
    listed = small_data.party_labels.filter(pl.col("typology") == "NEGATIVE_LIST_PARTY")
    buyers = small_data.tables["buyers"].filter(
        pl.col("buyer_id").is_in(listed["party_id"].implode())
    )
    watch = small_data.tables["watchlist"]
    names = set(watch["name"])
    assert buyers.height == listed.height > 0
    assert not set(buyers["name"]) & names  # never the exact listed name
    orders = small_data.tables["orders"].filter(
        pl.col("buyer_id").is_in(buyers["buyer_id"].implode())
    )
    assert set(orders["order_id"]) == set(_labelled(small_data, "NEGATIVE_LIST_PARTY"))


def test_three_document_mismatches_disagree(small_data: GeneratedData) -> None:
    t = small_data.tables
    # An order shipped in lots is compared with the sum of its lots.
    lots = (
        t["declarations"]
        .group_by("order_id")
        .agg(
            pl.col("hs_code").first().alias("hs_code_d"),
            pl.col("quantity").sum().alias("quantity_d"),
            pl.col("declared_value").sum(),
        )
    )
    bills = (
        t["waybills"]
        .group_by("order_id")
        .agg(pl.col("gross_weight_kg").sum(), pl.col("destination_country").first())
    )
    joined = (
        t["orders"]
        .join(lots, on="order_id")
        .join(bills, on="order_id")
        .join(t["buyers"].select("buyer_id", "country"), on="buyer_id")
        .with_columns(
            (
                (pl.col("hs_code") != pl.col("hs_code_d"))
                | (pl.col("quantity_d") > 1.01 * pl.col("quantity"))
                # Each lot carries its share of the value (lots still to ship are not short).
                | (
                    (
                        (pl.col("declared_value") / pl.col("quantity_d"))
                        - pl.col("amount") / pl.col("quantity")
                    ).abs()
                    > 0.02 * pl.col("amount") / pl.col("quantity")
                )
                | (pl.col("destination_country") != pl.col("country"))
                | (pl.col("gross_weight_kg") > 3 * pl.col("quantity") * 40)
            ).alias("disagree")
        )
    )
    mismatch = _labelled(small_data, "THREE_DOC_MISMATCH").implode()
    flagged = joined.filter(pl.col("order_id").is_in(mismatch))
    clean = joined.filter(~pl.col("order_id").is_in(small_data.trade_labels["order_id"].implode()))
    assert flagged.height == mismatch.list.len().item()
    assert flagged["disagree"].mean() >= 0.75  # weight mismatches need the HS unit weight
    assert clean["disagree"].mean() < 0.001


def test_shell_exporters_are_young_thin_and_sudden(small_data: GeneratedData) -> None:
    shells = small_data.party_labels.filter(pl.col("typology") == "SHELL_EXPORTER")["party_id"]
    t = small_data.tables
    ent = t["enterprises"].filter(pl.col("enterprise_id").is_in(shells.implode()))
    first = t["orders"].group_by("enterprise_id").agg(pl.col("ordered_at").min().alias("first"))
    ent = ent.join(first, on="enterprise_id")
    assert (ent["registered_capital_cny"] <= 100_000).all()
    young = (ent["first"] - ent["registered_at"]).dt.total_days()
    assert young.max() <= 120  # type: ignore[operator]
    labelled = _labelled(small_data, "SHELL_EXPORTER")
    assert (
        t["orders"].filter(pl.col("enterprise_id").is_in(shells.implode())).height == labelled.len()
    )


def test_financings_are_the_book_as_extracted(small_data: GeneratedData) -> None:
    fin = small_data.tables["financings"]
    end = datetime(2024, 9, 1, tzinfo=UTC)
    assert fin.height > 0
    assert fin["disbursed_at"].max() < end  # type: ignore[operator]
    # Repayments and defaults happen before the extract; a default is recognised 30 days
    # after the due date unpaid, so every defaulted financing fell due by 2024-08-02.
    assert fin["repaid_at"].max() < end  # type: ignore[operator]
    defaulted = fin.filter(pl.col("defaulted"))
    assert defaulted.height > 0 and defaulted["repaid_at"].null_count() == defaulted.height
    assert defaulted["due_at"].max() <= datetime(2024, 8, 2, tzinfo=UTC)  # type: ignore[operator]
    # Open financings (neither repaid nor defaulted) are in the book: exposure at the end.
    open_ = fin.filter(~pl.col("defaulted") & pl.col("repaid_at").is_null())
    assert open_.height > 0
    assert open_["due_at"].min() > datetime(2024, 7, 1, tzinfo=UTC)  # type: ignore[operator]


def test_config_rejects_impossible_settings() -> None:
    with pytest.raises(ValueError):
        GeneratorConfig(enterprises=5)
    with pytest.raises(ValueError):
        TypologyRates(phantom_shipment=0.5)
    with pytest.raises(ValueError):
        generate_tables(GeneratorConfig(enterprises=20, months=6, orders_per_month=2.0))
