"""An exporter's own price line (D3): has it sold these goods this far from the market before?

A premium range, or an economy range of seconds and clearance stock, is priced far from the
market order after order; an over- or under-invoiced order is one price far from what the
exporter charges for the goods. Every order priced beyond the market test of the invoicing rules
is kept in a history window per exporter, 6-digit HS code and side of the market; an order is
on an established line when enough of the exporter's earlier orders there, within the window,
were priced like it. Orders within the market are neither kept nor read.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from services.aml.domain import Order
from services.aml.rules.behaviour import LINE, Keys
from services.aml.rules.context import TradeContext
from services.aml.rules.history import Entry, WindowStore
from services.aml.rules.pricing import MarketReference, price_z
from services.aml.ruleset import RuleSet, days


@dataclass(frozen=True, slots=True)
class Line:
    """Where an order's price sits against the exporter's own earlier prices."""

    side: int  # +1 above the market test, -1 below it, 0 within the market
    orders: int  # the exporter's earlier orders of the goods on that side within the window
    log_ratio: float  # this price against their median (0 without any)

    @property
    def facts(self) -> dict[str, float]:
        return {"price_line_orders": float(self.orders), "price_line_log_ratio": self.log_ratio}


WITHIN_MARKET = Line(0, 0, 0.0)


def market_side(z: float, log_ratio: float, rules: RuleSet) -> int:
    """+1 / -1 when a price passes the invoicing rules' market test above / below, else 0."""
    cfg = rules.pricing
    if z > cfg.robust_z and log_ratio > cfg.min_log_ratio:
        return 1
    if z < -cfg.robust_z and log_ratio < -cfg.min_log_ratio:
        return -1
    return 0


def _side(ctx: TradeContext, market: MarketReference) -> int:
    found = price_z(ctx, market)
    return market_side(found[0], found[1], ctx.rules) if found else 0


def _key(order: Order, side: int, keys: Keys) -> str:
    sign = "+" if side > 0 else "-"
    return keys.scoped(f"line:{order.enterprise_id}|{order.hs_code[:6]}|{sign}")


def line_keys(ctx: TradeContext, keys: Keys, market: MarketReference) -> set[tuple[str, str]]:
    """The window an order reads and feeds: none for a price within the market."""
    side = _side(ctx, market)
    return {(LINE, _key(ctx.trade.order, side, keys))} if side else set()


def observe(ctx: TradeContext, store: WindowStore, keys: Keys, market: MarketReference) -> Line:
    """Keep an order priced beyond the market test in its exporter's line window, and return
    its place on the line (what :func:`line_of` reads)."""
    order = ctx.trade.order
    side = _side(ctx, market)
    if not side:
        return WITHIN_MARKET
    unit = ctx.reference.to_usd(order.unit_price, order.currency)
    entry = Entry(order.ordered_at, order.order_id, order.order_id, unit, order.buyer_id)
    store.add(LINE, _key(order, side, keys), entry)
    return _read(ctx, store, keys, side)


def line_of(ctx: TradeContext, store: WindowStore, keys: Keys, market: MarketReference) -> Line:
    """The order's place against the exporter's earlier orders on its side of the market."""
    side = _side(ctx, market)
    return _read(ctx, store, keys, side) if side else WITHIN_MARKET


def _read(ctx: TradeContext, store: WindowStore, keys: Keys, side: int) -> Line:
    """The exporter's earlier orders of the goods on `side` within the window, against this one."""
    order = ctx.trade.order
    at = order.ordered_at
    start = at - days(ctx.rules.pricing.line_window_days)
    earlier = [
        e
        for e in store.between(LINE, _key(order, side, keys), start, at)
        if e.at < at and e.amount_usd > 0
    ]
    if not earlier:
        return Line(side, 0, 0.0)
    median = statistics.median(math.log(e.amount_usd) for e in earlier)
    unit = ctx.reference.to_usd(order.unit_price, order.currency)
    return Line(side, len(earlier), math.log(unit) - median)
