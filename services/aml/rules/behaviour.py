"""Behaviour over time: structuring (A5), rapid pass-through (A7), shell exporter (S5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.aml.rules.base import DocRef, Evidence, Hit, hit, strength
from services.aml.rules.context import TradeContext
from services.aml.rules.history import Entry, WindowState, payer_key
from services.aml.ruleset import RAPID_PASS_THROUGH, SHELL_EXPORTER, STRUCTURING, RuleSet


@dataclass(slots=True)
class History:
    """The windows the behaviour rules read and feed, one per kind of key."""

    near_threshold: WindowState  # payer -> payments just under the reporting threshold
    inflows: WindowState  # exporter's related group -> payments received
    outflows: WindowState  # buyer's related group -> payments made
    volume: WindowState  # enterprise -> orders

    @classmethod
    def for_rules(cls, rules: RuleSet) -> History:
        cap = rules.structuring.max_payers
        return cls(
            WindowState(timedelta(days=rules.structuring.window_days), cap),
            WindowState(timedelta(days=rules.pass_through.window_days), cap),
            WindowState(timedelta(days=rules.pass_through.window_days), cap),
            WindowState(timedelta(days=rules.shell.volume_window_days), cap),
        )

    def record(self, ctx: TradeContext, exporter_group: str, buyer_group: str) -> None:
        """Feed the trade's payments and order into the windows (before the rules read them)."""
        order = ctx.trade.order
        for p in ctx.trade.payments:
            usd = ctx.reference.to_usd(p.amount, p.currency)
            if is_near_threshold(usd, ctx.rules):
                key = payer_key(p.payer_name, p.payer_country, p.payer_account)
                self.near_threshold.add(key, Entry(p.paid_at, p.payment_id, order.order_id, usd))
            if exporter_group == buyer_group:
                continue  # money within one related group passes through nobody
            entry = Entry(p.paid_at, p.payment_id, order.order_id, usd, p.payer_name)
            self.inflows.add(exporter_group, entry)
            if usd >= ctx.rules.pass_through.min_usd:
                self.outflows.add(buyer_group, entry)
        self.volume.add(
            order.enterprise_id,
            Entry(order.ordered_at, order.order_id, order.order_id, ctx.amount_usd),
        )


def is_near_threshold(amount_usd: float, rules: RuleSet) -> bool:
    cfg = rules.structuring
    return cfg.threshold_usd * (1 - cfg.band) <= amount_usd < cfg.threshold_usd


def structuring(ctx: TradeContext, history: History) -> Hit | None:
    """Several payments by one payer just under the reporting threshold within the window."""
    cfg = ctx.rules.structuring
    window = timedelta(days=cfg.window_days)
    best: list[Entry] = []
    for p in ctx.trade.payments:
        if not is_near_threshold(ctx.reference.to_usd(p.amount, p.currency), ctx.rules):
            continue
        key = payer_key(p.payer_name, p.payer_country, p.payer_account)
        found = history.near_threshold.between(key, p.paid_at - window, p.paid_at)
        best = found if len(found) > len(best) else best
    if len(best) < cfg.min_count:
        return None
    ev = Evidence(
        f"{len(best)} payments just under the reporting threshold within {cfg.window_days:g} days",
        tuple(DocRef("PAYMENT", e.doc_id) for e in best),
        {
            "threshold_usd": cfg.threshold_usd,
            "amounts_usd": [round(e.amount_usd, 2) for e in best],
            "order_ids": sorted({e.order_id for e in best}),
            "min_count": cfg.min_count,
        },
    )
    return hit("structuring", STRUCTURING, strength(len(best), cfg.min_count), ev)


def rapid_pass_through(
    ctx: TradeContext, history: History, buyer_group: str, exporter_group: str
) -> Hit | None:
    """Money into a related group paid on by it within days, for about the same amount.

    The buyer's group (e.g. an exporter's overseas affiliate) pays this order soon after that
    group was paid for one of its own orders - or, when documents arrive out of order, this
    order's payment is the inflow that a payment already seen passed on."""
    cfg = ctx.rules.pass_through
    window = timedelta(days=cfg.window_days)
    if buyer_group == exporter_group:
        return None
    for p in ctx.trade.payments:
        usd = ctx.reference.to_usd(p.amount, p.currency)
        out = Entry(p.paid_at, p.payment_id, p.order_id, usd, p.payer_name)
        if usd >= cfg.min_usd:
            inflow = _closest(
                history.inflows.between(buyer_group, p.paid_at - window, p.paid_at),
                out,
                cfg.amount_rel_tol,
            )
            if inflow is not None:
                return _pass_through_hit(inflow, out)
        later = history.outflows.between(exporter_group, p.paid_at, p.paid_at + window)
        outflow = _closest(later, out, cfg.amount_rel_tol)
        if outflow is not None:
            return _pass_through_hit(out, outflow)
    return None


def _closest(entries: list[Entry], ref: Entry, tol: float) -> Entry | None:
    close = [
        e
        for e in entries
        if e.doc_id != ref.doc_id
        and abs(e.amount_usd - ref.amount_usd) <= tol * max(e.amount_usd, ref.amount_usd)
    ]
    return min(close, key=lambda e: abs(e.amount_usd - ref.amount_usd)) if close else None


def _pass_through_hit(inflow: Entry, outflow: Entry) -> Hit:
    held = (outflow.at - inflow.at).total_seconds() / 86_400
    ev = Evidence(
        f"Paid on {outflow.amount_usd:,.0f} USD {held:.1f} days after its group "
        f"received {inflow.amount_usd:,.0f} USD",
        (DocRef("PAYMENT", inflow.doc_id), DocRef("PAYMENT", outflow.doc_id)),
        {
            "in_usd": round(inflow.amount_usd, 2),
            "out_usd": round(outflow.amount_usd, 2),
            "days_held": round(held, 2),
            "in_from": inflow.counterparty,
            "order_ids": sorted({inflow.order_id, outflow.order_id}),
        },
    )
    gap = abs(inflow.amount_usd - outflow.amount_usd)
    closeness = 1 - gap / max(inflow.amount_usd, outflow.amount_usd)
    return hit("rapid_pass_through", RAPID_PASS_THROUGH, max(0.5, closeness), ev)


def shell_exporter(ctx: TradeContext, history: History) -> Hit | None:
    """A young, thinly capitalised exporter with a sudden volume of orders."""
    cfg, ent, order = ctx.rules.shell, ctx.enterprise, ctx.trade.order
    if ent is None:
        return None
    age_days = (order.ordered_at - ent.registered_at).total_seconds() / 86_400
    if age_days > cfg.max_age_days or ent.registered_capital_cny > cfg.max_capital_cny:
        return None
    start = order.ordered_at - timedelta(days=cfg.volume_window_days)
    recent = history.volume.between(order.enterprise_id, start, order.ordered_at)
    volume = sum(e.amount_usd for e in recent)
    if volume < cfg.volume_usd:
        return None
    ev = Evidence(
        f"Exporter {age_days:.0f} days old with {ent.registered_capital_cny:,.0f} CNY "
        f"capital traded {volume:,.0f} USD in {cfg.volume_window_days:g} days",
        (DocRef("ENTERPRISE", ent.enterprise_id), DocRef("ORDER", order.order_id)),
        {
            "age_days": round(age_days, 1),
            "capital_cny": ent.registered_capital_cny,
            "recent_volume_usd": round(volume, 2),
            "volume_threshold_usd": cfg.volume_usd,
            "order_ids": [e.order_id for e in recent],
        },
    )
    return hit("shell_exporter", SHELL_EXPORTER, strength(volume, cfg.volume_usd), ev)
