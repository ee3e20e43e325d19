"""Numeric features of one trade for the risk model - the same figures batch.py computes with
polars over whole tables, so a model trained on bulk data scores live trades consistently."""

from __future__ import annotations

import math
from datetime import timedelta

from services.aml.rules import behaviour, documents
from services.aml.rules.base import Hit
from services.aml.rules.context import TradeContext
from services.aml.rules.history import payer_key
from services.aml.rules.pricing import MarketReference, price_z
from services.aml.screening import NameIndex, name_similarity

MAX_WAIT_DAYS = 365.0

NUMERIC_FEATURES: tuple[str, ...] = (
    "log_amount_usd",
    "price_z",
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
    "near_threshold_count",
    "enterprise_age_days",
    "log_capital_cny",
    "log_recent_volume_usd",
    "watchlist_score",
)


def _docs(ctx: TradeContext) -> dict[str, float]:
    order, decl = ctx.trade.order, ctx.trade.declaration
    declared = ctx.reference.to_usd(decl.declared_value, decl.currency) if decl else 0.0
    return {
        "log_amount_usd": math.log1p(ctx.amount_usd),
        "declared_gap": documents.rel_gap(declared, ctx.amount_usd) if decl else 0.0,
        "invoice_gap": documents.rel_gap(order.quantity * order.unit_price, order.amount),
        "quantity_gap": documents.rel_gap(decl.quantity, order.quantity) if decl else 0.0,
        "hs_mismatch": float(_hs_mismatch(order.hs_code, decl.hs_code if decl else None)),
        "currency_mismatch": float(
            sum(p.currency != order.currency for p in ctx.trade.payments)
            + (decl is not None and decl.currency != order.currency)
        ),
        "destination_mismatch": float(
            any(
                w.destination_country != ctx.buyer.country
                for w in ctx.trade.waybills
                if ctx.buyer.country and w.destination_country
            )
        ),
        "has_waybill": float(bool(ctx.trade.waybills)),
        "has_declaration": float(decl is not None),
        "unshipped_days": _waiting(ctx, bool(ctx.trade.waybills)),
        "undeclared_days": _waiting(ctx, decl is not None),
    }


def _waiting(ctx: TradeContext, present: bool) -> float:
    """Days since the first payment that a missing document has been awaited (0 if present)."""
    if present or not ctx.trade.payments:
        return 0.0
    first = min(p.paid_at for p in ctx.trade.payments)
    return min(MAX_WAIT_DAYS, max(0.0, (ctx.as_of - first).total_seconds() / 86_400))


def _hs_mismatch(ordered: str, declared: str | None) -> int:
    if declared is None or declared[:6] == ordered[:6]:
        return 0
    return 2 if declared[:2] != ordered[:2] else 1


def _payments(ctx: TradeContext, history: behaviour.History) -> dict[str, float]:
    pays = ctx.trade.payments
    paid = sum(ctx.reference.to_usd(p.amount, p.currency) for p in pays)
    sims = [name_similarity(p.payer_name, ctx.buyer.name) for p in pays if ctx.buyer.name]
    window = timedelta(days=ctx.rules.structuring.window_days)
    counts = [
        len(
            history.near_threshold.between(
                payer_key(p.payer_name, p.payer_country, p.payer_account),
                p.paid_at - window,
                p.paid_at,
            )
        )
        for p in pays
        if behaviour.is_near_threshold(ctx.reference.to_usd(p.amount, p.currency), ctx.rules)
    ]
    return {
        "n_payments": float(len(pays)),
        "paid_ratio": paid / ctx.amount_usd if ctx.amount_usd > 0 else 0.0,
        "payer_name_similarity": min(sims, default=1.0),
        "payer_country_mismatch": float(
            any(p.payer_country != ctx.buyer.country for p in pays if ctx.buyer.country)
        ),
        "near_threshold_count": float(max(counts, default=0)),
    }


def _enterprise(ctx: TradeContext, history: behaviour.History) -> dict[str, float]:
    ent, order = ctx.enterprise, ctx.trade.order
    start = order.ordered_at - timedelta(days=ctx.rules.shell.volume_window_days)
    recent = history.volume.between(order.enterprise_id, start, order.ordered_at)
    age = (order.ordered_at - ent.registered_at).total_seconds() / 86_400 if ent else -1.0
    return {
        "enterprise_age_days": age,
        "log_capital_cny": math.log1p(ent.registered_capital_cny) if ent else -1.0,
        "log_recent_volume_usd": math.log1p(sum(e.amount_usd for e in recent)),
    }


def _market(ctx: TradeContext, market: MarketReference) -> dict[str, float]:
    found = price_z(ctx, market)
    order = ctx.trade.order
    kg = sum(w.gross_weight_kg for w in ctx.trade.waybills)
    cell = market.weight_hs.get(order.hs_code)
    usable = cell is not None and cell.n >= market.min_samples and kg > 0 and order.quantity > 0
    return {
        "price_z": found[0] if found else 0.0,
        "weight_log_ratio": (
            math.log(kg / order.quantity) - cell.median if usable and cell is not None else 0.0
        ),
    }


def _watchlist(ctx: TradeContext, names: NameIndex) -> float:
    seen = [ctx.exporter.name, ctx.buyer.name, *(p.payer_name for p in ctx.trade.payments)]
    return max((names.best_score(n) for n in seen if n), default=0.0)


def trade_features(
    ctx: TradeContext,
    history: behaviour.History,
    market: MarketReference,
    names: NameIndex,
    hits: list[Hit],
    rule_names: tuple[str, ...],
) -> dict[str, float]:
    """Every model input of one trade: numeric features, then one 0/1 column per rule."""
    out = {
        **_docs(ctx),
        **_payments(ctx, history),
        **_enterprise(ctx, history),
        **_market(ctx, market),
        "watchlist_score": _watchlist(ctx, names),
    }
    fired = {h.rule for h in hits}
    out.update({f"rule_{r}": float(r in fired) for r in rule_names})
    return out
