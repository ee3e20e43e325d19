"""The per-trade rules, vectorised with polars over whole tables.

One row per order with the same numeric features and 0/1 rule columns that
:mod:`services.aml.rules` computes for a single trade, at a fixed ``as_of``. Used to build the
model's training set and for bulk scanning. Row rules (documents, prices, history windows) are
pure polars; name screening runs once per distinct name; the round-trip column replays the
incremental loop check over the orders in time order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from services.aml.domain import Declaration, Flow, Order, Payment, Relation, Trade, Waybill
from services.aml.graph import Edge, PartyGroups, RoundTripIndex
from services.aml.rules.engine import RULE_NAMES
from services.aml.rules.features import MAX_WAIT_DAYS, NUMERIC_FEATURES
from services.aml.rules.pricing import MIN_SIGMA, MarketReference, period_expr, usd_expr
from services.aml.ruleset import RuleSet
from services.aml.screening import NameIndex, name_similarity

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


def declaration_columns(t: Tables, usd: Mapping[str, float]) -> pl.LazyFrame:
    """The first declaration of each order (a trade carries one)."""
    return (
        t.declarations.sort("declared_at", "declaration_id")
        .group_by("order_id")
        .first()
        .select(
            "order_id",
            "declared_at",
            decl_hs="hs_code",
            decl_currency="currency",
            decl_quantity="quantity",
            decl_usd=usd_expr("declared_value", "currency", dict(usd)),
        )
    )


def waybill_columns(t: Tables, orders: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """Per order: shipped weight, destination and date checks, first shipment."""
    slack = pl.duration(seconds=round(rules.reconciliation.max_days_before_order * 86_400))
    risky = list(rules.jurisdiction.countries)
    w = t.waybills.join(orders.select("order_id", "ordered_at", "buyer_country"), on="order_id")
    return w.group_by("order_id").agg(
        n_waybills=pl.len(),
        kg=pl.col("gross_weight_kg").sum(),
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
    )


def _payer_similarity(pairs: pl.DataFrame) -> pl.DataFrame:
    """Name similarity of each distinct (payer, buyer) pair: one C call per pair."""
    sims = [
        name_similarity(p, b) if b else 1.0
        for p, b in zip(pairs["payer_name"].to_list(), pairs["buyer_name"].to_list(), strict=True)
    ]
    return pairs.with_columns(payer_sim=pl.Series(sims, dtype=pl.Float64))


def _related_pairs(relations: pl.LazyFrame | None, t: Tables) -> pl.LazyFrame:
    """(buyer_id, key) for every id and name a relation links to a buyer."""
    schema = {"buyer_id": pl.String, "key": pl.String}
    if relations is None:
        return pl.LazyFrame(schema=schema)
    both = pl.concat(
        [relations.select(a="party_a", b="party_b"), relations.select(a="party_b", b="party_a")]
    )
    names = pl.concat(
        [
            t.enterprises.select(b="enterprise_id", name="name"),
            t.buyers.select(b="buyer_id", name="name"),
        ]
    )
    linked = both.join(names, on="b", how="left")
    return pl.concat(
        [linked.select(buyer_id="a", key="b"), linked.select(buyer_id="a", key="name").drop_nulls()]
    ).unique()


def group_expr(column: str, groups: PartyGroups) -> pl.Expr:
    """The related group of each party id (itself when it has no grouping relation)."""
    mapping = groups.mapping()
    return pl.col(column).replace(mapping) if mapping else pl.col(column)


def payer_key_expr() -> pl.Expr:
    """Vectorised :func:`services.aml.rules.history.payer_key`."""
    by_name = pl.concat_str(
        pl.col("payer_name").str.strip_chars().str.to_lowercase(),
        pl.lit("|"),
        pl.col("payer_country").str.to_uppercase(),
    )
    return pl.when(pl.col("payer_account") != "").then(pl.col("payer_account")).otherwise(by_name)


def _near_counts(p: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    cfg = rules.structuring
    near = p.filter(pl.col("near"))
    return near.with_columns(one=pl.lit(1.0)).select(
        "payment_id",
        near_count=pl.col("one")
        .rolling_sum_by("paid_at", window_size=_secs(cfg.window_days), closed="right")
        .over("payer_key"),
    )


def _pass_through(p: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """Payments on either side of a pass-through: money into a group paid on by it soon after.

    Both sides are flagged: live screening reports the pair on whichever trade arrives second."""
    cfg = rules.pass_through
    p = p.filter(pl.col("exporter_group") != pl.col("buyer_group"))
    inflows = p.select(key="exporter_group", in_id="payment_id", in_at="paid_at", in_usd="usd")
    out = p.filter(pl.col("usd") >= cfg.min_usd).select(
        "payment_id", "paid_at", "usd", key="buyer_group"
    )
    window = pl.duration(seconds=round(cfg.window_days * 86_400))
    close = (pl.col("in_usd") - pl.col("usd")).abs() <= cfg.amount_rel_tol * pl.max_horizontal(
        "in_usd", "usd"
    )
    pairs = out.join(inflows, on="key").filter(
        (pl.col("in_at") > pl.col("paid_at") - window)
        & (pl.col("in_at") <= pl.col("paid_at"))
        & (pl.col("in_id") != pl.col("payment_id"))
        & close
    )
    sides = pl.concat([pairs.select("payment_id"), pairs.select(payment_id="in_id")])
    return sides.unique().with_columns(passes=pl.lit(True))


def payment_columns(
    t: Tables,
    orders: pl.LazyFrame,
    rules: RuleSet,
    usd: Mapping[str, float],
    related: pl.LazyFrame,
    groups: PartyGroups,
) -> pl.LazyFrame:
    """Per order: amounts paid, payer identity checks, structuring and pass-through windows."""
    cfg = rules.structuring
    low = cfg.threshold_usd * (1 - cfg.band)
    p = (
        t.payments.join(
            orders.select(
                "order_id",
                "enterprise_id",
                "buyer_id",
                "buyer_name",
                "buyer_country",
                "exporter_name",
                order_currency="currency",
            ),
            on="order_id",
        )
        .with_columns(
            usd=usd_expr("amount", "currency", dict(usd)),
            payer_key=payer_key_expr(),
            exporter_group=group_expr("enterprise_id", groups),
            buyer_group=group_expr("buyer_id", groups),
        )
        .with_columns(near=(pl.col("usd") >= low) & (pl.col("usd") < cfg.threshold_usd))
    )
    pairs = _payer_similarity(p.select("payer_name", "buyer_name").unique().collect()).lazy()
    rel_name = related.select("buyer_id", payer_name="key", rel_a=pl.lit(True))
    rel_acct = related.select("buyer_id", payer_account="key", rel_b=pl.lit(True))
    p = (
        p.join(pairs, on=["payer_name", "buyer_name"], how="left")
        .join(rel_name, on=["buyer_id", "payer_name"], how="left")
        .join(
            rel_acct.filter(pl.col("payer_account") != ""),
            on=["buyer_id", "payer_account"],
            how="left",
        )
        .join(_near_counts(p, rules), on="payment_id", how="left")
        .join(_pass_through(p, rules), on="payment_id", how="left")
    )
    return _aggregate_payments(p, rules)


def _aggregate_payments(p: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    country_off = (pl.col("buyer_country") != "") & (
        pl.col("payer_country") != pl.col("buyer_country")
    )
    name_off = (pl.col("buyer_name") != "") & (pl.col("payer_sim") < rules.payer.name_similarity)
    related = pl.col("rel_a").fill_null(False) | pl.col("rel_b").fill_null(False)
    return p.group_by("order_id").agg(
        n_payments=pl.len().cast(pl.Float64),
        paid_usd=pl.col("usd").sum(),
        first_paid_at=pl.col("paid_at").min(),
        pay_currency_mismatch=(pl.col("currency") != pl.col("order_currency")).sum(),
        payer_country_mismatch=country_off.any(),
        payer_name_similarity=pl.col("payer_sim").min(),
        near_threshold_count=pl.col("near_count").max().fill_null(0.0),
        third_party=((name_off | country_off) & ~related).any(),
        passes=pl.col("passes").fill_null(False).any(),
        payer_risky=pl.col("payer_country").is_in(list(rules.jurisdiction.countries)).any(),
        payer_names=pl.col("payer_name"),
    )


def watchlist_scores(orders: pl.LazyFrame, names: NameIndex) -> pl.LazyFrame:
    """Best watchlist similarity per order over the exporter, buyer and payer names."""
    per_order = pl.concat(
        [
            orders.select("order_id", name="exporter_name"),
            orders.select("order_id", name="buyer_name"),
            orders.select("order_id", name=pl.col("payer_names")).explode("name"),
        ]
    ).filter(pl.col("name").is_not_null() & (pl.col("name") != ""))
    distinct = per_order.select("name").unique().collect()
    scores = distinct.with_columns(score=pl.Series(names.best_scores(distinct["name"].to_list())))
    return (
        per_order.join(scores.lazy(), on="name")
        .group_by("order_id")
        .agg(watchlist_score=pl.col("score").max())
    )


def market_columns(frame: pl.LazyFrame, market: MarketReference) -> pl.LazyFrame:
    """Robust price z against the (HS, period) cell or its HS-wide fallback; unit weight ratio."""
    n_min = market.min_samples
    cells = market.price_frame().lazy()
    # One HS-wide table (price fallback + unit weight): one join fewer per row.
    per_hs = (
        market.hs_frame("price")
        .join(market.hs_frame("weight"), on="hs_code", how="full", coalesce=True)
        .lazy()
    )
    cell_ok = pl.col("ref_n") >= n_min
    wide_ok = pl.col("price_n") >= n_min
    med = pl.when(cell_ok).then("ref_median").when(wide_ok).then("price_median")
    sigma = pl.when(cell_ok).then("ref_sigma").when(wide_ok).then("price_sigma")
    usable_kg = (pl.col("weight_n") >= n_min) & (pl.col("kg") > 0) & (pl.col("quantity") > 0)
    return (
        frame.with_columns(period_expr("ordered_at", market.period_months))
        .join(cells, on=["hs_code", "period"], how="left")
        .join(per_hs, on="hs_code", how="left")
        .with_columns(
            log_ratio=pl.col("unit_usd").log() - med,
            sigma=pl.max_horizontal(sigma, pl.lit(MIN_SIGMA)),
        )
        .with_columns(
            log_ratio=pl.when(pl.col("unit_usd") > 0).then("log_ratio"),
            weight_log_ratio=pl.when(usable_kg)
            .then((pl.col("kg") / pl.col("quantity")).log() - pl.col("weight_median"))
            .otherwise(0.0),
        )
        .with_columns(price_z=(pl.col("log_ratio") / pl.col("sigma")).fill_null(0.0))
    )


def _waiting(present: pl.Expr, as_of: datetime) -> pl.Expr:
    """Vectorised :func:`services.aml.rules.features._waiting`."""
    days = _days(pl.lit(as_of) - pl.col("first_paid_at")).clip(0.0, MAX_WAIT_DAYS)
    return pl.when(present | pl.col("first_paid_at").is_null()).then(0.0).otherwise(days)


def _numeric(rules: RuleSet, as_of: datetime) -> list[pl.Expr]:
    has_decl = pl.col("declared_at").is_not_null()
    hs_diff = (
        pl.when(
            ~has_decl | (pl.col("decl_hs").str.slice(0, 6) == pl.col("hs_code").str.slice(0, 6))
        )
        .then(0.0)
        .when(pl.col("decl_hs").str.slice(0, 2) != pl.col("hs_code").str.slice(0, 2))
        .then(2.0)
        .otherwise(1.0)
    )
    return [
        pl.col("amount_usd").log1p().alias("log_amount_usd"),
        pl.when(has_decl)
        .then(rel_gap(pl.col("decl_usd"), pl.col("amount_usd")))
        .otherwise(0.0)
        .alias("declared_gap"),
        rel_gap(pl.col("quantity") * pl.col("unit_price"), pl.col("amount")).alias("invoice_gap"),
        pl.when(has_decl)
        .then(rel_gap(pl.col("decl_quantity"), pl.col("quantity")))
        .otherwise(0.0)
        .alias("quantity_gap"),
        hs_diff.alias("hs_mismatch"),
        (
            pl.col("pay_currency_mismatch").fill_null(0).cast(pl.Float64)
            + (has_decl & (pl.col("decl_currency") != pl.col("currency"))).cast(pl.Float64)
        ).alias("currency_mismatch"),
        pl.col("dest_mismatch").fill_null(False).cast(pl.Float64).alias("destination_mismatch"),
        pl.col("n_waybills").is_not_null().cast(pl.Float64).alias("has_waybill"),
        has_decl.cast(pl.Float64).alias("has_declaration"),
        _waiting(pl.col("n_waybills").is_not_null(), as_of).alias("unshipped_days"),
        _waiting(has_decl, as_of).alias("undeclared_days"),
        pl.col("n_payments").fill_null(0.0),
        pl.when(pl.col("amount_usd") > 0)
        .then(pl.col("paid_usd").fill_null(0.0) / pl.col("amount_usd"))
        .otherwise(0.0)
        .alias("paid_ratio"),
        pl.col("payer_name_similarity").fill_null(1.0),
        pl.col("payer_country_mismatch").fill_null(False).cast(pl.Float64),
        pl.col("near_threshold_count").fill_null(0.0),
        _days(pl.col("ordered_at") - pl.col("registered_at"))
        .fill_null(-1.0)
        .alias("enterprise_age_days"),
        pl.col("registered_capital_cny").log1p().fill_null(-1.0).alias("log_capital_cny"),
        pl.col("recent_volume").log1p().alias("log_recent_volume_usd"),
        pl.col("watchlist_score").fill_null(0.0),
    ]


def _flags(rules: RuleSet, as_of: datetime) -> dict[str, pl.Expr]:
    rc, has_decl = rules.reconciliation, pl.col("declared_at").is_not_null()
    slack = pl.duration(seconds=round(rc.max_days_before_order * 86_400))
    deadline = pl.col("first_paid_at") + pl.duration(seconds=round(rules.phantom.days * 86_400))
    shipped = (pl.col("first_shipped_at") <= deadline).fill_null(False)
    declared = (pl.col("declared_at") <= deadline).fill_null(False)
    pr, sh = rules.pricing, rules.shell
    known = pl.col("registered_at").is_not_null()
    excess = (pl.col("paid_usd") - pl.col("amount_usd")) / pl.col("amount_usd")
    return {
        "doc_amount_mismatch": pl.max_horizontal("invoice_gap", "declared_gap") > rc.amount_rel_tol,
        "doc_currency_mismatch": pl.col("currency_mismatch") > 0,
        "doc_quantity_mismatch": pl.col("quantity_gap") > rc.quantity_rel_tol,
        "doc_hs_mismatch": pl.col("hs_mismatch") > 0,
        "doc_party_mismatch": pl.col("destination_mismatch") > 0,
        "doc_date_order": pl.col("waybill_date_bad").fill_null(False)
        | (has_decl & (pl.col("declared_at") < pl.col("ordered_at") - slack)),
        "payment_without_contract": (pl.col("n_payments") > 0)
        & (pl.when(pl.col("amount_usd") > 0).then(excess > rc.amount_rel_tol).otherwise(True)),
        "phantom_shipment": pl.col("first_paid_at").is_not_null()
        & (deadline <= pl.lit(as_of))
        & ~(shipped & declared),
        "third_party_payer": pl.col("third_party").fill_null(False),
        "high_risk_jurisdiction": pl.col("buyer_country").is_in(list(rules.jurisdiction.countries))
        | pl.col("payer_risky").fill_null(False)
        | pl.col("dest_risky").fill_null(False),
        "line_of_business": known
        & (pl.col("industry_hs2") != "")
        & (pl.col("hs_code").str.slice(0, 2) != pl.col("industry_hs2").str.slice(0, 2)),
        "doc_weight_anomaly": pl.col("weight_log_ratio").abs() > rc.unit_weight_log_tol,
        "over_invoicing": (pl.col("price_z") > pr.robust_z)
        & (pl.col("log_ratio") > pr.min_log_ratio).fill_null(False),
        "under_invoicing": (pl.col("price_z") < -pr.robust_z)
        & (pl.col("log_ratio") < -pr.min_log_ratio).fill_null(False),
        "negative_list_party": pl.col("watchlist_score") >= rules.screening.threshold,
        "structuring": pl.col("near_threshold_count") >= rules.structuring.min_count,
        "rapid_pass_through": pl.col("passes").fill_null(False),
        "shell_exporter": known
        & (pl.col("enterprise_age_days") <= sh.max_age_days)
        & (pl.col("registered_capital_cny") <= sh.max_capital_cny)
        & (pl.col("recent_volume") >= sh.volume_usd),
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
    related = _related_pairs(relations, t)
    groups = PartyGroups(_relation_rows(relations, rules))
    frame = (
        orders.join(declaration_columns(t, usd), on="order_id", how="left")
        .join(waybill_columns(t, orders, rules), on="order_id", how="left")
        .join(payment_columns(t, orders, rules, usd, related, groups), on="order_id", how="left")
    )
    return frame.join(watchlist_scores(frame, names), on="order_id", how="left")


def row_rules(
    frame: pl.LazyFrame, rules: RuleSet, market: MarketReference, as_of: datetime
) -> pl.LazyFrame:
    """The vectorised rules over joined trades: features and one 0/1 column per rule."""
    flags = _flags(rules, as_of)
    keep = ["order_id", "enterprise_id", "buyer_id", "ordered_at", "amount_usd", *FEATURE_COLUMNS]
    return (
        market_columns(frame, market)
        .with_columns(_numeric(rules, as_of))
        .with_columns(
            *(flags[r].fill_null(False).cast(pl.Float64).alias(f"rule_{r}") for r in flags),
            pl.lit(0.0).alias("rule_round_trip"),
        )
        .select(keep)
    )


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
    out = row_rules(joined, rules, market, as_of).sort("ordered_at", "order_id").collect()
    if round_trips:
        groups = PartyGroups(_relation_rows(relations, rules))
        out = out.with_columns(rule_round_trip=replay_round_trips(out, rules, groups))
    return out


def replay_round_trips(frame: pl.DataFrame, rules: RuleSet, groups: PartyGroups) -> pl.Series:
    """The incremental loop check replayed over the orders in time order (1.0 where one closes)."""
    index = RoundTripIndex(rules.round_trip)
    closes = []
    for oid, ent, buyer, at, usd in frame.select(
        "order_id", "enterprise_id", "buyer_id", "ordered_at", "amount_usd"
    ).iter_rows():
        flow = Flow(ent, buyer, usd, "USD", at, oid)
        edge = Edge(groups.find(ent), groups.find(buyer), at, usd, oid, flow)
        closes.append(1.0 if index.check_and_add(edge) is not None else 0.0)
    return pl.Series("rule_round_trip", closes, dtype=pl.Float64)


def _relation_rows(relations: pl.LazyFrame | None, rules: RuleSet) -> list[Relation]:
    """The relations that make parties one entity in the flow graph."""
    if relations is None:
        return []
    kinds = list(rules.grouping.relations)
    rows = (
        relations.filter(pl.col("relation").is_in(kinds))
        .select("party_a", "party_b", "relation")
        .collect()
        .iter_rows()
    )
    return [Relation(a, b, r) for a, b, r in rows]


def iter_trades(t: Tables, chunk: int = 2_048) -> Iterator[list[Trade]]:
    """The data set as domain trades in order-time order, a chunk at a time (for replay)."""
    orders = t.orders.sort("ordered_at", "order_id").collect()
    pays = _grouped(t.payments, "paid_at")
    bills = _grouped(t.waybills, "shipped_at")
    decls = _grouped(t.declarations, "declared_at")
    for start in range(0, orders.height, chunk):
        block = orders.slice(start, chunk).to_dicts()
        yield [
            Trade(
                order=_order(o),
                payments=tuple(_payment(p) for p in pays.get(o["order_id"], ())),
                waybills=tuple(_waybill(w) for w in bills.get(o["order_id"], ())),
                declaration=next((_declaration(d) for d in decls.get(o["order_id"], ())), None),
            )
            for o in block
        ]


def _grouped(frame: pl.LazyFrame, by: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in frame.sort(by).collect().iter_rows(named=True):
        out[row["order_id"]].append(row)
    return out


def _order(o: dict[str, Any]) -> Order:
    return Order(
        o["order_id"],
        o["enterprise_id"],
        o["buyer_id"],
        o["ordered_at"],
        o["hs_code"],
        o["quantity"],
        o["unit_price"],
        o["amount"],
        o["currency"],
        o["platform"],
        o["unit"],
        o["incoterm"],
        o["payment_terms"],
        int(o["credit_days"]),
    )


def _payment(p: dict[str, Any]) -> Payment:
    return Payment(
        p["payment_id"],
        p["order_id"],
        p["payer_name"],
        p["payer_country"],
        p["paid_at"],
        p["amount"],
        p["currency"],
        p["payer_account"],
        p["channel"],
    )


def _waybill(w: dict[str, Any]) -> Waybill:
    return Waybill(
        w["waybill_id"],
        w["order_id"],
        w["shipped_at"],
        w["destination_country"],
        w["gross_weight_kg"],
        w["carrier"],
        w["delivered_at"],
        w["origin"],
        int(w["packages"]),
        w["status"],
    )


def _declaration(d: dict[str, Any]) -> Declaration:
    return Declaration(
        d["declaration_id"],
        d["order_id"],
        d["declared_at"],
        d["hs_code"],
        d["declared_value"],
        d["currency"],
        d["quantity"],
        d["customs_status"],
    )
