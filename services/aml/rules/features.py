"""Numeric features of one trade for the risk model - the same figures batch.py computes with
polars over whole tables, so a model trained on bulk data scores live trades consistently."""

from __future__ import annotations

import math

from services.aml.domain import Payment
from services.aml.names import name_similarity
from services.aml.rules import behaviour, documents, payers, price_lines
from services.aml.rules import lots as lots_
from services.aml.rules.base import Hit
from services.aml.rules.context import TradeContext
from services.aml.rules.history import WindowStore
from services.aml.rules.pricing import MarketReference, price_z, weight_log_ratio
from services.aml.screening import NameIndex

MAX_WAIT_DAYS = 365.0

NUMERIC_FEATURES: tuple[str, ...] = (
    "log_amount_usd",
    "price_z",
    "price_log_ratio",
    "price_line_orders",
    "price_line_log_ratio",
    "declared_price_log_ratio",
    "weight_log_ratio",
    "declared_gap",
    "invoice_gap",
    "quantity_gap",
    "hs_mismatch",
    "currency_mismatch",
    "destination_mismatch",
    "has_waybill",
    "has_declaration",
    "unshipped_days",
    "undeclared_days",
    "n_payments",
    "paid_ratio",
    "payer_name_similarity",
    "payer_country_mismatch",
    "payer_unrelated",
    "payer_not_platform",
    "payer_not_bank",
    "near_threshold_count",
    "enterprise_age_days",
    "log_capital_cny",
    "log_recent_volume_usd",
    "watchlist_score",
)


def _docs(ctx: TradeContext) -> dict[str, float]:
    order, lots, decls = ctx.trade.order, ctx.lots, ctx.trade.declarations
    digits = ctx.rules.reconciliation.hs_digits
    local = {*ctx.rules.reconciliation.local_currencies, order.currency}
    tol = ctx.rules.reconciliation.amount_rel_tol
    due = documents.completion_due(ctx)
    return {
        "log_amount_usd": math.log1p(ctx.amount_usd),
        "declared_gap": lots_.declared_gap(
            lots, order.quantity, ctx.amount_usd, lots_.freight_share(order.incoterm, ctx.rules)
        ),
        "invoice_gap": documents.rel_gap(order.quantity * order.unit_price, order.amount),
        "quantity_gap": lots_.unexplained_quantity(lots, order.quantity, due, tol),
        "hs_mismatch": float(
            max(
                (documents.hs_mismatch_level(order.hs_code, d.hs_code, digits) for d in decls),
                default=0,
            )
        ),
        "currency_mismatch": float(
            sum(p.currency != order.currency for p in ctx.trade.payments)
            + sum(d.currency not in local for d in decls)
        ),
        "destination_mismatch": float(
            any(
                w.destination_country != ctx.buyer.country
                for w in ctx.trade.waybills
                if ctx.buyer.country and w.destination_country
            )
        ),
        "has_waybill": float(bool(ctx.trade.waybills)),
        # Lodged, even if rejected: the goods were presented to customs.
        "has_declaration": float(bool(decls or ctx.rejected)),
        "unshipped_days": _waiting(ctx, bool(ctx.trade.waybills)),
        "undeclared_days": _waiting(ctx, bool(decls or ctx.rejected)),
    }


def _waiting(ctx: TradeContext, present: bool) -> float:
    """Days a missing document has been awaited since the clock started (0 if present)."""
    start = lots_.clock_start(ctx.lots, ctx.rules)
    if present or start is None:
        return 0.0
    return min(MAX_WAIT_DAYS, max(0.0, (ctx.as_of - start).total_seconds() / 86_400))


def _payments(ctx: TradeContext, windows: WindowStore, keys: behaviour.Keys) -> dict[str, float]:
    pays = ctx.trade.payments
    sims = [name_similarity(p.payer_name, ctx.buyer.name) for p in pays if ctx.buyer.name]
    counts = [len(found) for found in behaviour.near_counts(ctx, windows, keys)]
    return {
        "n_payments": float(len(pays)),
        "paid_ratio": ctx.lots.paid_usd / ctx.amount_usd if ctx.amount_usd > 0 else 0.0,
        "payer_name_similarity": min(sims, default=1.0),
        "payer_country_mismatch": float(
            any(p.payer_country != ctx.buyer.country for p in pays if ctx.buyer.country)
        ),
        # The parts of the third-party question, so a model weighs each on its own.
        "payer_unrelated": float(any(not payers.is_buyer(ctx, p) for p in pays)),
        "payer_not_platform": float(any(not _platform(ctx, p) for p in pays)),
        "payer_not_bank": float(any(not _bank(ctx, p) for p in pays)),
        "near_threshold_count": float(max(counts, default=0)),
    }


def _bank(ctx: TradeContext, p: Payment) -> bool:
    return payers.is_settling_bank(ctx.trade.order.payment_terms, p.payer_name, ctx.rules.payer)


def _platform(ctx: TradeContext, p: Payment) -> bool:
    parties = ctx.rules.payer.settlement_parties
    return payers.is_settlement_party(p.channel, p.payer_name, parties)


def _enterprise(ctx: TradeContext, windows: WindowStore, keys: behaviour.Keys) -> dict[str, float]:
    ent, order = ctx.enterprise, ctx.trade.order
    recent = behaviour.recent_volume(ctx, windows, keys)
    age = (order.ordered_at - ent.registered_at).total_seconds() / 86_400 if ent else -1.0
    return {
        "enterprise_age_days": age,
        "log_capital_cny": math.log1p(ent.registered_capital_cny) if ent else -1.0,
        "log_recent_volume_usd": math.log1p(sum(e.amount_usd for e in recent)),
    }


def _market(
    ctx: TradeContext, market: MarketReference, windows: WindowStore, keys: behaviour.Keys
) -> dict[str, float]:
    found = price_z(ctx, market)
    lots = ctx.lots
    # The customs value per unit against the same reference: a second witness of the price.
    declared = (
        math.log(lots.declared_usd / lots.declared_qty) - found[2].cell.median
        if found and lots.declared_usd > 0 and lots.declared_qty > 0
        else 0.0
    )
    return {
        "price_z": found[0] if found else 0.0,
        "price_log_ratio": found[1] if found else 0.0,
        **price_lines.line_of(ctx, windows, keys, market).facts,
        "declared_price_log_ratio": declared,
        "weight_log_ratio": weight_log_ratio(ctx, market) or 0.0,
    }


def _watchlist(ctx: TradeContext, names: NameIndex) -> float:
    seen = [ctx.exporter.name, ctx.buyer.name, *(p.payer_name for p in ctx.trade.payments)]
    seen += [w.carrier for w in ctx.trade.waybills]
    return max((names.best_score(n) for n in seen if n), default=0.0)


def trade_features(
    ctx: TradeContext,
    windows: WindowStore,
    keys: behaviour.Keys,
    market: MarketReference,
    names: NameIndex,
    hits: list[Hit],
    rule_names: tuple[str, ...],
) -> dict[str, float]:
    """Every model input of one trade: numeric features, then one 0/1 column per rule."""
    out = {
        **_docs(ctx),
        **_payments(ctx, windows, keys),
        **_enterprise(ctx, windows, keys),
        **_market(ctx, market, windows, keys),
        "watchlist_score": _watchlist(ctx, names),
    }
    fired = {h.rule for h in hits}
    out.update({f"rule_{r}": float(r in fired) for r in rule_names})
    return out
