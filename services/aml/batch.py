"""The per-trade rules, vectorised with polars over whole tables.

One row per order with the same numeric features and 0/1 rule columns that
:mod:`services.aml.rules` computes for a single trade, at a fixed ``as_of``. Used to build the
model's training set and for bulk scanning. Row rules (documents, prices, history windows) are
pure polars; name screening runs once per distinct name; the round-trip column replays the
incremental loop check over the orders in time order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from services.aml.batch_lines import with_price_lines
from services.aml.batch_payments import payment_columns
from services.aml.domain import Flow, Relation
from services.aml.graph import Edge, PartyGroups, RoundTripIndex
from services.aml.reference import tables_reference
from services.aml.rules.features import MAX_WAIT_DAYS, NUMERIC_FEATURES
from services.aml.rules.pricing import MIN_SIGMA, MarketReference, period_expr, usd_expr
from services.aml.rules.specs import RULE_NAMES, RULE_SPECS
from services.aml.ruleset import RuleSet
from services.aml.screening import NameIndex

FEATURE_COLUMNS: tuple[str, ...] = (*NUMERIC_FEATURES, *(f"rule_{r}" for r in RULE_NAMES))


@dataclass(frozen=True, slots=True)
class Tables:
    """The trade tables batch rules read (a ``TradeDataset`` has these attributes)."""

    enterprises: pl.LazyFrame
    buyers: pl.LazyFrame
    orders: pl.LazyFrame
    payments: pl.LazyFrame
    waybills: pl.LazyFrame
    declarations: pl.LazyFrame


def _secs(days: float) -> str:
    return f"{round(days * 86_400)}s"


def _days(expr: pl.Expr) -> pl.Expr:
    return expr.dt.total_microseconds().cast(pl.Float64) / 86_400e6


def rel_gap(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Vectorised :func:`services.aml.rules.documents.rel_gap`."""
    top = pl.max_horizontal(a.abs(), b.abs())
    return pl.when(top == 0).then(0.0).otherwise((a - b).abs() / top)


def base_orders(t: Tables, usd: Mapping[str, float]) -> pl.LazyFrame:
    """Orders with USD amounts, the buyer's name and country and the exporter's registry facts."""
    buyers = t.buyers.select("buyer_id", buyer_name="name", buyer_country="country")
    ents = t.enterprises.select(
        "enterprise_id",
        "registered_at",
        "registered_capital_cny",
        "employees",
        "industry_hs2",
        exporter_name="name",
    )
    return (
        t.orders.join(buyers, on="buyer_id", how="left")
        .join(ents, on="enterprise_id", how="left")
        .with_columns(
            amount_usd=usd_expr("amount", "currency", dict(usd)),
            unit_usd=usd_expr("unit_price", "currency", dict(usd)),
        )
        .with_columns(
            pl.col("buyer_name", "buyer_country", "exporter_name", "industry_hs2").fill_null("")
        )
    )


def hs_level_expr(ordered: str, declared: str, digits: int) -> pl.Expr:
    """Vectorised :func:`services.aml.rules.documents.hs_mismatch_level`."""
    o, d = pl.col(ordered), pl.col(declared)
    return (
        pl.when(d.str.slice(0, digits) == o.str.slice(0, digits))
        .then(0)
        .when(d.str.slice(0, 2) != o.str.slice(0, 2))
        .then(2)
        .otherwise(1)
    )


def declaration_columns(
    t: Tables, orders: pl.LazyFrame, rules: RuleSet, usd: Mapping[str, float]
) -> pl.LazyFrame:
    """Sums over every declaration (lot) of each order, and what disagrees with the order."""
    rc = rules.reconciliation
    slack = pl.duration(seconds=round(rc.max_days_before_order * 86_400))
    local = list(rc.local_currencies)
    d = t.declarations.join(
        orders.select("order_id", "ordered_at", order_hs="hs_code", order_currency="currency"),
        on="order_id",
    )
    # Declarations customs rejected are lodged, but their figures are set aside (as per trade).
    stands = pl.col("customs_status") != "REJECTED"
    off_currency = (pl.col("currency") != pl.col("order_currency")) & ~pl.col("currency").is_in(
        local
    )
    return d.group_by("order_id").agg(
        n_declarations=pl.len(),
        decl_qty=pl.col("quantity").filter(stands).sum(),
        decl_usd=usd_expr("declared_value", "currency", dict(usd)).filter(stands).sum(),
        first_declared_at=pl.col("declared_at").min(),
        decl_hs_level=hs_level_expr("order_hs", "hs_code", rc.hs_digits)
        .filter(stands)
        .max()
        .cast(pl.Float64),
        decl_currency_off=off_currency.filter(stands).sum().cast(pl.Float64),
        decl_date_bad=(pl.col("declared_at") < pl.col("ordered_at") - slack).filter(stands).any(),
    )


def waybill_columns(t: Tables, orders: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """Per order: shipped weight, destination and date checks, first shipment."""
    slack = pl.duration(seconds=round(rules.reconciliation.max_days_before_order * 86_400))
    risky = list(rules.jurisdiction.countries)
    w = t.waybills.join(orders.select("order_id", "ordered_at", "buyer_country"), on="order_id")
    counted = pl.col("quantity") > 0
    return w.group_by("order_id").agg(
        n_waybills=pl.len(),
        kg=pl.col("gross_weight_kg").sum(),
        kg_counted=pl.col("gross_weight_kg").filter(counted).sum(),
        shipped_qty=pl.col("quantity").sum(),
        first_shipped_at=pl.col("shipped_at").min(),
        dest_mismatch=(
            (pl.col("destination_country") != pl.col("buyer_country"))
            & (pl.col("buyer_country") != "")
            & (pl.col("destination_country") != "")
        ).any(),
        waybill_date_bad=(
            (pl.col("shipped_at") < pl.col("ordered_at") - slack)
            | (pl.col("delivered_at") < pl.col("shipped_at")).fill_null(False)
        ).any(),
        dest_risky=pl.col("destination_country").is_in(risky).any(),
        carriers=pl.col("carrier"),
    )


def watchlist_scores(orders: pl.LazyFrame, names: NameIndex) -> pl.LazyFrame:
    """Best watchlist similarity per order over the exporter, buyer, payer and carrier names."""
    per_order = pl.concat(
        [
            orders.select("order_id", name="exporter_name"),
            orders.select("order_id", name="buyer_name"),
            orders.select("order_id", name=pl.col("payer_names")).explode("name"),
            orders.select("order_id", name=pl.col("carriers")).explode("name"),
        ]
    ).filter(pl.col("name").is_not_null() & (pl.col("name") != ""))
    distinct = per_order.select("name").unique().collect()
    scores = distinct.with_columns(score=pl.Series(names.best_scores(distinct["name"].to_list())))
    return (
        per_order.join(scores.lazy(), on="name")
        .group_by("order_id")
        .agg(watchlist_score=pl.col("score").max())
    )


def _price_cells(
    frame: pl.LazyFrame, market: MarketReference, levels: tuple[int, ...]
) -> pl.LazyFrame:
    """The reference cell of each distinct (HS code, period), after the 10 -> 8 -> 6 fallback."""
    pairs = frame.select("hs_code", "period", "unit").unique().collect()
    rows = []
    for hs, period, unit in pairs.iter_rows():
        ref = market.price_ref_in(hs, period, levels, unit)
        rows.append(
            (hs, period, unit, ref.cell.median if ref else None, ref.cell.sigma if ref else None)
        )
    schema = {
        "hs_code": pl.String,
        "period": pl.Int64,
        "unit": pl.String,
        "ref_median": pl.Float64,
        "ref_sigma": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").lazy()


def _weight_cells(
    frame: pl.LazyFrame, market: MarketReference, levels: tuple[int, ...]
) -> pl.LazyFrame:
    pairs = frame.select("hs_code", "unit").unique().collect()
    cells = [market.weight_cell(hs, levels, unit) for hs, unit in pairs.iter_rows()]
    return pl.LazyFrame(
        {
            "hs_code": pairs["hs_code"],
            "unit": pairs["unit"],
            "weight_median": [c.median if c else None for c in cells],
        },
        schema={"hs_code": pl.String, "unit": pl.String, "weight_median": pl.Float64},
    )


def _kg_per_unit() -> pl.Expr:
    """Vectorised :func:`services.aml.rules.pricing.shipped_kg_per_unit`."""
    qty_all = pl.when(pl.col("decl_qty").fill_null(0.0) > 0).then("decl_qty").otherwise("quantity")
    counted = pl.col("shipped_qty").fill_null(0.0) > 0
    kg = pl.when(counted).then("kg_counted").otherwise("kg")
    qty = pl.when(counted).then("shipped_qty").otherwise(qty_all)
    return pl.when((kg > 0) & (qty > 0)).then(kg / qty)


def market_columns(frame: pl.LazyFrame, market: MarketReference, rules: RuleSet) -> pl.LazyFrame:
    """Robust price z against the most precise reference cell; unit weight ratio."""
    levels = rules.pricing.hs_levels
    frame = frame.with_columns(period_expr("ordered_at", market.period_months))
    return (
        frame.join(
            _price_cells(frame, market, levels), on=["hs_code", "period", "unit"], how="left"
        )
        .join(_weight_cells(frame, market, levels), on=["hs_code", "unit"], how="left")
        .with_columns(
            log_ratio=pl.when(pl.col("unit_usd") > 0).then(
                pl.col("unit_usd").log() - pl.col("ref_median")
            ),
            sigma=pl.max_horizontal("ref_sigma", pl.lit(MIN_SIGMA)),
            weight_log_ratio=(_kg_per_unit().log() - pl.col("weight_median")).fill_null(0.0),
        )
        .with_columns(
            price_z=(pl.col("log_ratio") / pl.col("sigma")).fill_null(0.0),
            price_log_ratio=pl.col("log_ratio").fill_null(0.0),
            declared_price_log_ratio=pl.when(
                pl.col("log_ratio").is_not_null()
                & (pl.col("decl_usd") > 0)
                & (pl.col("decl_qty") > 0)
            )
            .then((pl.col("decl_usd") / pl.col("decl_qty")).log() - pl.col("ref_median"))
            .otherwise(0.0),
        )
        .pipe(with_price_lines, rules)
    )


def _clock_start(rules: RuleSet) -> pl.Expr:
    """Vectorised :func:`services.aml.rules.lots.clock_start`."""
    cfg = rules.phantom
    after_deposit = pl.duration(seconds=round(max(0.0, cfg.production_days - cfg.days) * 86_400))
    return pl.coalesce(pl.col("settled_at"), pl.col("first_paid_at") + after_deposit)


def _waiting(present: pl.Expr, rules: RuleSet, as_of: datetime) -> pl.Expr:
    """Vectorised :func:`services.aml.rules.features._waiting`."""
    start = _clock_start(rules)
    days = _days(pl.lit(as_of) - start).clip(0.0, MAX_WAIT_DAYS)
    return pl.when(present | start.is_null()).then(0.0).otherwise(days)


def _declared_gap(rules: RuleSet) -> pl.Expr:
    """Vectorised :func:`services.aml.rules.lots.declared_gap` (with its freight share)."""
    rc = rules.reconciliation
    qty, decl_qty = pl.col("quantity"), pl.col("decl_qty").fill_null(0.0)
    decl_usd = pl.col("decl_usd").fill_null(0.0)
    share = pl.when(qty > 0).then(decl_qty / qty).otherwise(1.0)
    expected = pl.col("amount_usd") * pl.when(decl_qty > 0).then(share).otherwise(1.0)
    freight = (
        pl.when(pl.col("incoterm").is_in(list(rc.carriage_terms)))
        .then(rc.freight_share)
        .otherwise(0.0)
    )
    target = pl.min_horizontal(pl.max_horizontal(decl_usd, expected * (1 - freight)), expected)
    gap = rel_gap(decl_usd, target)
    return pl.when((decl_usd == 0) & (decl_qty == 0)).then(0.0).otherwise(gap)


def _quantity_gap(rules: RuleSet, as_of: datetime) -> pl.Expr:
    """Vectorised :func:`services.aml.rules.lots.unexplained_quantity`."""
    rc = rules.reconciliation
    qty, decl_qty = pl.col("quantity"), pl.col("decl_qty").fill_null(0.0)
    due = pl.col("ordered_at") + pl.duration(seconds=round(rc.completion_days * 86_400)) <= as_of
    paid_for_more = pl.col("paid_usd").fill_null(0.0) > pl.col("decl_usd").fill_null(0.0) * (
        1 + rc.amount_rel_tol
    )
    over = (decl_qty - qty).clip(lower_bound=0.0) / qty
    short = pl.when(due & paid_for_more).then((qty - decl_qty).clip(lower_bound=0.0) / qty)
    gap = pl.max_horizontal(over, short.fill_null(0.0))
    return pl.when((qty > 0) & (decl_qty > 0)).then(gap).otherwise(0.0)


def _numeric(rules: RuleSet, as_of: datetime) -> list[pl.Expr]:
    has_decl = pl.col("n_declarations").is_not_null()
    return [
        pl.col("amount_usd").log1p().alias("log_amount_usd"),
        _declared_gap(rules).alias("declared_gap"),
        rel_gap(pl.col("quantity") * pl.col("unit_price"), pl.col("amount")).alias("invoice_gap"),
        _quantity_gap(rules, as_of).alias("quantity_gap"),
        pl.col("decl_hs_level").fill_null(0.0).alias("hs_mismatch"),
        (
            pl.col("pay_currency_mismatch").fill_null(0).cast(pl.Float64)
            + pl.col("decl_currency_off").fill_null(0.0)
        ).alias("currency_mismatch"),
        pl.col("dest_mismatch").fill_null(False).cast(pl.Float64).alias("destination_mismatch"),
        pl.col("n_waybills").is_not_null().cast(pl.Float64).alias("has_waybill"),
        has_decl.cast(pl.Float64).alias("has_declaration"),
        _waiting(pl.col("n_waybills").is_not_null(), rules, as_of).alias("unshipped_days"),
        _waiting(has_decl, rules, as_of).alias("undeclared_days"),
        pl.col("n_payments").fill_null(0.0),
        pl.when(pl.col("amount_usd") > 0)
        .then(pl.col("paid_usd").fill_null(0.0) / pl.col("amount_usd"))
        .otherwise(0.0)
        .alias("paid_ratio"),
        pl.col("payer_name_similarity").fill_null(1.0),
        pl.col("payer_country_mismatch").fill_null(False).cast(pl.Float64),
        pl.col("payer_unrelated").fill_null(False).cast(pl.Float64),
        pl.col("payer_not_platform").fill_null(False).cast(pl.Float64),
        pl.col("payer_not_bank").fill_null(False).cast(pl.Float64),
        pl.col("near_threshold_count").fill_null(0.0),
        _days(pl.col("ordered_at") - pl.col("registered_at"))
        .fill_null(-1.0)
        .alias("enterprise_age_days"),
        pl.col("registered_capital_cny").log1p().fill_null(-1.0).alias("log_capital_cny"),
        pl.col("recent_volume").log1p().alias("log_recent_volume_usd"),
        pl.col("watchlist_score").fill_null(0.0),
    ]


def _signals(rules: RuleSet, as_of: datetime, usd: Mapping[str, float]) -> dict[str, pl.Expr]:
    """The signals the rule specs decide on, as columns of the joined trades."""
    deadline = _clock_start(rules) + pl.duration(seconds=round(rules.phantom.days * 86_400))
    shipped = (pl.col("first_shipped_at") <= deadline).fill_null(False)
    declared = (pl.col("first_declared_at") <= deadline).fill_null(False)
    sh, known = rules.shell, pl.col("registered_at").is_not_null()
    capital_usd = pl.col("registered_capital_cny") * usd.get("CNY", 1.0)
    return {
        **{name: pl.col(name) for name in _COLUMN_SIGNALS},
        "misdated_documents": (
            pl.col("waybill_date_bad").fill_null(False) | pl.col("decl_date_bad").fill_null(False)
        ).cast(pl.Int32),
        "documents_due": deadline.is_not_null() & (deadline <= pl.lit(as_of)),
        "missing_documents": (~shipped).cast(pl.Int32) + (~declared).cast(pl.Int32),
        "unexplained_payers": pl.col("third_party").fill_null(False).cast(pl.Int32),
        "high_risk_parties": (
            pl.col("buyer_country").is_in(list(rules.jurisdiction.countries))
            | pl.col("payer_risky").fill_null(False)
            | pl.col("dest_risky").fill_null(False)
        ).cast(pl.Int32),
        "outside_industry": known
        & (pl.col("industry_hs2") != "")
        & (pl.col("hs_code").str.slice(0, 2) != pl.col("industry_hs2").str.slice(0, 2)),
        "passes_through": pl.col("passes").fill_null(False),
        "known_exporter": known,
        "employees": pl.col("employees").fill_null(0),
        "recent_volume_usd": pl.col("recent_volume"),
        "volume_bar_usd": pl.max_horizontal(
            pl.lit(sh.volume_usd), sh.capital_multiple * capital_usd
        ),
    }


#: Signals that are columns of the same name in the joined trades.
_COLUMN_SIGNALS = (
    "invoice_gap",
    "declared_gap",
    "quantity_gap",
    "hs_mismatch",
    "currency_mismatch",
    "destination_mismatch",
    "n_payments",
    "paid_usd",
    "amount_usd",
    "weight_log_ratio",
    "price_z",
    "log_ratio",
    "price_line_orders",
    "price_line_log_ratio",
    "watchlist_score",
    "near_threshold_count",
    "enterprise_age_days",
    "registered_capital_cny",
)


def _flags(rules: RuleSet, as_of: datetime, usd: Mapping[str, float]) -> dict[str, pl.Expr]:
    """Every per-trade rule's condition from :mod:`services.aml.rules.specs` over the joined
    trades (the round-trip column is replayed in time order afterwards)."""
    signals = _signals(rules, as_of, usd)
    return {
        spec.name: spec.fires(signals, rules) for spec in RULE_SPECS if spec.name != "round_trip"
    }


def joined_trades(
    t: Tables,
    rules: RuleSet,
    names: NameIndex,
    usd: Mapping[str, float],
    relations: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """One row per order with its documents aggregated: what the row rules read."""
    orders = base_orders(t, usd).with_columns(
        recent_volume=pl.col("amount_usd")
        .rolling_sum_by(
            "ordered_at", window_size=_secs(rules.shell.volume_window_days), closed="right"
        )
        .over("enterprise_id")
    )
    reference = tables_reference(t.enterprises, t.buyers, relations, dict(usd))
    groups = PartyGroups(_relation_rows(relations, rules.grouping.related_kinds()))
    pays = payment_columns(t.payments, orders, rules, usd, reference, groups)
    frame = (
        orders.join(declaration_columns(t, orders, rules, usd), on="order_id", how="left")
        .join(waybill_columns(t, orders, rules), on="order_id", how="left")
        .join(pays, on="order_id", how="left")
    )
    return frame.join(watchlist_scores(frame, names), on="order_id", how="left")


def row_rules(
    frame: pl.LazyFrame,
    rules: RuleSet,
    market: MarketReference,
    as_of: datetime,
    usd: Mapping[str, float],
) -> pl.LazyFrame:
    """The vectorised rules over joined trades: features and one 0/1 column per rule."""
    flags = _flags(rules, as_of, usd)
    keep = ["order_id", "enterprise_id", "buyer_id", "ordered_at", "amount_usd", *FEATURE_COLUMNS]
    return (
        market_columns(frame, market, rules)
        .with_columns(_numeric(rules, as_of))
        .with_columns(
            *(flags[r].fill_null(False).cast(pl.Float64).alias(f"rule_{r}") for r in flags),
            pl.lit(0.0).alias("rule_round_trip"),
        )
        .select(keep)
    )


def collect_rows(rows: pl.LazyFrame) -> pl.DataFrame:
    """Runs the row rules' plan. Polars' default (streaming) engine spent about 1.7x the CPU of
    the in-memory engine on this wide, join-heavy plan of one row per order (bench/aml.py,
    batch_row_rules), and the table fits in memory whole anyway."""
    return rows.collect(engine="in-memory")


def trade_frame(
    t: Tables,
    rules: RuleSet,
    market: MarketReference,
    names: NameIndex,
    usd: Mapping[str, float],
    as_of: datetime,
    *,
    relations: pl.LazyFrame | None = None,
    round_trips: bool = True,
) -> pl.DataFrame:
    """One row per order: ids, time, every numeric feature and every rule as a 0/1 column."""
    joined = joined_trades(t, rules, names, usd, relations)
    out = collect_rows(row_rules(joined, rules, market, as_of, usd).sort("ordered_at", "order_id"))
    if round_trips:
        levels = [
            PartyGroups(_relation_rows(relations, rules.grouping.relations)),
            PartyGroups(_relation_rows(relations, rules.grouping.related_kinds())),
        ]
        out = out.with_columns(rule_round_trip=replay_round_trips(out, rules, levels))
    return out


def replay_round_trips(frame: pl.DataFrame, rules: RuleSet, levels: list[PartyGroups]) -> pl.Series:
    """The incremental loop check replayed over the orders in time order, at each grouping
    level (1.0 where one closes at any)."""
    indexes = [RoundTripIndex(rules.round_trip) for _ in levels]
    closes = []
    for oid, ent, buyer, at, usd in frame.select(
        "order_id", "enterprise_id", "buyer_id", "ordered_at", "amount_usd"
    ).iter_rows():
        flow = Flow(ent, buyer, usd, "USD", at, oid)
        found = [
            index.check_and_add(Edge(g.find(ent), g.find(buyer), at, usd, oid, flow))
            for g, index in zip(levels, indexes, strict=True)
        ]
        closes.append(1.0 if any(c is not None for c in found) else 0.0)
    return pl.Series("rule_round_trip", closes, dtype=pl.Float64)


def _relation_rows(relations: pl.LazyFrame | None, kinds: tuple[str, ...]) -> list[Relation]:
    """The relations of the given kinds (the links of one grouping level)."""
    if relations is None:
        return []
    rows = (
        relations.filter(pl.col("relation").is_in(list(kinds)))
        .select("party_a", "party_b", "relation")
        .collect()
        .iter_rows()
    )
    return [Relation(a, b, r) for a, b, r in rows]
