"""The payment side of the batch row rules: who paid (A2), structuring (A5) and rapid
pass-through (A7), per order, with the same definitions the per-trade rules use.

Name questions (is this payer the buyer, a related party, a settlement platform; a payer's
identity) are answered once per distinct pair with :mod:`services.aml.rules.payers`, then joined;
windows are polars rolling sums, and pass-through replays the per-trade window check in time order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import polars as pl

from services.aml.domain import Party, ReferenceData
from services.aml.graph import PartyGroups
from services.aml.names import name_similarity, normalise_name
from services.aml.rules import behaviour
from services.aml.rules.history import Entry, MemoryWindows
from services.aml.rules.payers import is_bank_name, is_settlement_party, payer_is_buyer
from services.aml.rules.pricing import usd_expr
from services.aml.rules.specs import near_threshold
from services.aml.ruleset import RuleSet


def _secs(days: float) -> str:
    return f"{round(days * 86_400)}s"


def group_expr(column: str, groups: PartyGroups) -> pl.Expr:
    """The related group of each party id (itself when it has no grouping relation)."""
    mapping = groups.mapping()
    return pl.col(column).replace(mapping) if mapping else pl.col(column)


def _payer_facts(pairs: pl.DataFrame, reference: ReferenceData, rules: RuleSet) -> pl.DataFrame:
    """Per distinct (buyer, payer, account, channel): similarity, buyer-or-related, platform."""
    sims, buyer, platform = [], [], []
    threshold, parties = rules.payer.name_similarity, rules.payer.settlement_parties
    for bid, bname, bcountry, payer, account, channel in pairs.iter_rows():
        party = Party(bid, bname, bcountry)
        sims.append(name_similarity(payer, bname) if bname else 1.0)
        buyer.append(payer_is_buyer(payer, account, party, reference, threshold))
        platform.append(is_settlement_party(channel, payer, parties))
    return pairs.with_columns(
        payer_sim=pl.Series(sims, dtype=pl.Float64),
        payer_is_buyer=pl.Series(buyer, dtype=pl.Boolean),
        payer_platform=pl.Series(platform, dtype=pl.Boolean),
    )


def _payer_identities(pairs: pl.DataFrame, rules: RuleSet) -> pl.DataFrame:
    """Vectorised :func:`services.aml.rules.behaviour.payer_identity` per distinct payer, and
    whether its name is a bank's."""
    keys = [
        f"payer:{normalise_name(n)}|{c.upper()}"
        for n, c in zip(pairs["payer_name"], pairs["payer_country"], strict=True)
    ]
    words = rules.payer.bank_words
    banks = [is_bank_name(n, words) for n in pairs["payer_name"]]
    return pairs.with_columns(
        payer_key=pl.Series(keys, dtype=pl.String),
        payer_bank_name=pl.Series(banks, dtype=pl.Boolean),
    )


_FACT_KEYS = ["buyer_id", "buyer_name", "buyer_country", "payer_name", "payer_account", "channel"]


def _with_facts(p: pl.LazyFrame, reference: ReferenceData, rules: RuleSet) -> pl.LazyFrame:
    facts = _payer_facts(p.select(_FACT_KEYS).unique().collect(), reference, rules)
    idents = _payer_identities(p.select("payer_name", "payer_country").unique().collect(), rules)
    documentary = pl.col("payment_terms").is_in(list(rules.payer.bank_settled_terms))
    return (
        p.join(facts.lazy(), on=_FACT_KEYS, how="left")
        .join(idents.lazy(), on=["payer_name", "payer_country"], how="left")
        .with_columns(payer_bank=pl.col("payer_bank_name") & documentary)
    )


def _on_schedule(rules: RuleSet) -> pl.Expr:
    """Vectorised :func:`services.aml.rules.behaviour._on_schedule` (payments sorted by order
    and time: the nearest other payments are the neighbours)."""
    cfg = rules.structuring
    gap = pl.duration(seconds=round(cfg.instalment_gap_days * 86_400))
    prev = (pl.col("paid_at") - pl.col("paid_at").shift(1).over("order_id")).abs()
    nxt = (pl.col("paid_at").shift(-1).over("order_id") - pl.col("paid_at")).abs()
    spaced = (prev.is_null() | (prev >= gap)) & (nxt.is_null() | (nxt >= gap))
    return (pl.col("amount_usd") >= cfg.threshold_usd) & spaced


def _near_counts(p: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """Per unexplained near-threshold payment: the larger of its payer's and its buyer's counts
    of such payments within the window up to it."""
    window = _secs(rules.structuring.window_days)
    near = p.filter(pl.col("unexplained_near")).with_columns(
        one=pl.lit(1.0), buyer_key=pl.concat_str(pl.lit("buyer:"), pl.col("buyer_id"))
    )

    def count(key: str) -> pl.Expr:
        by_time = pl.col("one").rolling_sum_by("paid_at", window_size=window, closed="right")
        return by_time.over(key)

    return near.sort("paid_at", "payment_id").select(
        "payment_id", near_count=pl.max_horizontal(count("payer_key"), count("buyer_key"))
    )


def _pass_through(p: pl.LazyFrame, rules: RuleSet, groups: PartyGroups) -> pl.LazyFrame:
    """Orders whose payment completes a pass-through, by replaying the per-trade window check
    over the payments in time order (both the outflow's and the inflows' orders are flagged).
    As per trade, only flows of parties a relation links are kept: a party no relation links
    only sells or only buys, so no money passes through it."""
    cfg = rules.pass_through
    windows = behaviour.memory_windows(rules)
    ctx = _WindowCheck(cfg.window_days, cfg.amount_rel_tol, cfg.min_usd)
    grouped = list(groups.mapping())
    related = pl.col("enterprise_id").is_in(grouped) | pl.col("buyer_id").is_in(grouped)
    rows = (
        p.filter((pl.col("exporter_group") != pl.col("buyer_group")) & related)
        .select("paid_at", "payment_id", "order_id", "usd", "exporter_group", "buyer_group")
        .sort("paid_at", "payment_id")
        .collect()
    )
    flagged: set[str] = set()
    for at, pid, oid, usd, exporter_group, buyer_group in rows.iter_rows():
        entry = Entry(at, pid, oid, usd)
        windows.add(behaviour.INFLOW, exporter_group, entry)
        windows.add(behaviour.OUTFLOW, buyer_group, entry)
        flagged |= ctx.orders_passing(windows, buyer_group, at)
    return pl.LazyFrame({"order_id": sorted(flagged)}, schema={"order_id": pl.String}).with_columns(
        passes=pl.lit(True)
    )


class _WindowCheck:
    """The pass-through test of :func:`services.aml.rules.behaviour._passes` on bare windows."""

    def __init__(self, window_days: float, tol: float, min_usd: float) -> None:
        self.window, self.tol, self.min_usd = timedelta(days=window_days), tol, min_usd

    def orders_passing(self, windows: MemoryWindows, group: str, at: datetime) -> set[str]:
        ins = windows.between(behaviour.INFLOW, group, at - self.window, at)
        if not ins:
            return set()
        outs = windows.between(behaviour.OUTFLOW, group, ins[0].at, at)
        total_in, total_out = sum(e.amount_usd for e in ins), sum(e.amount_usd for e in outs)
        if not outs or min(total_in, total_out) < self.min_usd:
            return set()
        if abs(total_in - total_out) > self.tol * max(total_in, total_out):
            return set()
        return {e.order_id for e in (*ins, *outs)}


def payment_columns(
    payments: pl.LazyFrame,
    orders: pl.LazyFrame,
    rules: RuleSet,
    usd: Mapping[str, float],
    reference: ReferenceData,
    groups: PartyGroups,
) -> pl.LazyFrame:
    """Per order: amounts paid and when paid for, payer checks, structuring and pass-through."""
    p = (
        payments.join(
            orders.select(
                "order_id",
                "enterprise_id",
                "buyer_id",
                "buyer_name",
                "buyer_country",
                "amount_usd",
                "payment_terms",
                order_currency="currency",
            ),
            on="order_id",
        )
        .with_columns(
            usd=usd_expr("amount", "currency", dict(usd)),
            exporter_group=group_expr("enterprise_id", groups),
            buyer_group=group_expr("buyer_id", groups),
        )
        .sort("order_id", "paid_at", "payment_id")
        .with_columns(
            near=near_threshold(pl.col("usd"), rules),
            paid_so_far=pl.col("usd").cum_sum().over("order_id"),
            on_schedule=_on_schedule(rules),
        )
    )
    p = _with_facts(p, reference, rules).with_columns(
        unexplained_near=pl.col("near")
        & ~pl.col("payer_platform")
        & ~pl.col("payer_bank")
        & ~(pl.col("payer_is_buyer") & pl.col("on_schedule"))
    )
    p = p.join(_near_counts(p, rules), on="payment_id", how="left")
    return _aggregate(p, rules).join(_pass_through(p, rules, groups), on="order_id", how="left")


def _aggregate(p: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    country_off = (pl.col("buyer_country") != "") & (
        pl.col("payer_country") != pl.col("buyer_country")
    )
    settled = pl.col("paid_so_far") >= rules.phantom.settled_share * pl.col("amount_usd")
    return p.group_by("order_id").agg(
        n_payments=pl.len().cast(pl.Float64),
        paid_usd=pl.col("usd").sum(),
        first_paid_at=pl.col("paid_at").min(),
        settled_at=pl.col("paid_at").filter(settled).min(),
        pay_currency_mismatch=(pl.col("currency") != pl.col("order_currency")).sum(),
        payer_country_mismatch=country_off.any(),
        payer_name_similarity=pl.col("payer_sim").min(),
        near_threshold_count=pl.col("near_count").max().fill_null(0.0),
        third_party=(
            ~pl.col("payer_is_buyer") & ~pl.col("payer_platform") & ~pl.col("payer_bank")
        ).any(),
        payer_unrelated=(~pl.col("payer_is_buyer")).any(),
        payer_not_platform=(~pl.col("payer_platform")).any(),
        payer_not_bank=(~pl.col("payer_bank")).any(),
        payer_risky=pl.col("payer_country").is_in(list(rules.jurisdiction.countries)).any(),
        payer_names=pl.col("payer_name"),
    )
