"""Behaviour over time: structuring (A5), rapid pass-through (A7), shell exporter (S5/T4).

Every window key starts with the tenant: one bank's payments never count towards, or show up in
the evidence of, another bank's alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.aml.domain import Payment, ReferenceData, Trade
from services.aml.names import normalise_name
from services.aml.rules import payers
from services.aml.rules.base import DocRef, Evidence, Hit, hit, strength
from services.aml.rules.context import TradeContext
from services.aml.rules.history import Entry, MemoryWindows, WindowStore
from services.aml.rules.specs import fires, near_threshold
from services.aml.ruleset import RAPID_PASS_THROUGH, SHELL_EXPORTER, STRUCTURING, RuleSet, days

NEAR, INFLOW, OUTFLOW, VOLUME = "near", "in", "out", "volume"
# An exporter's orders priced beyond the market, per goods and side (see rules.price_lines).
LINE = "line"


@dataclass(slots=True, unsafe_hash=True)
class Keys:
    """The window keys of one trade, each scoped to the screening tenant (made for every
    screened trade: slotted, hashed by value and never changed once built, not frozen)."""

    tenant: str
    exporter_group: str
    buyer_group: str
    # Money can pass through a group only if it both sells and buys, which takes a relation
    # between an exporter and a buyer: the flows of a party no relation links are not kept.
    exporter_grouped: bool = True
    buyer_grouped: bool = True

    def flow_keys(self) -> list[tuple[str, str]]:
        """The pass-through windows this trade's payment feeds: money into the exporter's
        group, money out of the buyer's group."""
        keys = []
        if self.exporter_grouped:
            keys.append((INFLOW, self.scoped(self.exporter_group)))
        if self.buyer_grouped:
            keys.append((OUTFLOW, self.scoped(self.buyer_group)))
        return keys

    def scoped(self, key: str) -> str:
        return f"{self.tenant}\x1f{key}"


def payer_identity(p: Payment) -> str:
    """A payer is known by its name and country, however many accounts it pays from."""
    return f"payer:{normalise_name(p.payer_name)}|{p.payer_country.upper()}"


def beneficiary(ctx: TradeContext) -> str:
    """Payments for one buyer's orders, whoever makes them."""
    return f"buyer:{ctx.trade.order.buyer_id}"  # as in window_keys


def is_near_threshold(amount_usd: float, rules: RuleSet) -> bool:
    return bool(near_threshold(amount_usd, rules))


def _on_schedule(ctx: TradeContext, p: Payment) -> bool:
    """One instalment of a large order, spaced from the order's other payments."""
    cfg = ctx.rules.structuring
    if ctx.amount_usd < cfg.threshold_usd:
        return False
    gap = days(cfg.instalment_gap_days)
    others = [q.paid_at for q in ctx.trade.payments if q.payment_id != p.payment_id]
    return all(abs(p.paid_at - at) >= gap for at in others)


def unexplained_near(ctx: TradeContext) -> list[tuple[Payment, float]]:
    """Payments just under the threshold that no contract explains: not a settlement by a
    platform or by the buyer's bank under documentary terms, and not the buyer's own instalment
    of a larger order paid on a schedule (found once per trade: recording and structuring,
    and the model's features, all read them)."""
    return ctx.memo(_unexplained_near, _unexplained_near, None)


def _unexplained_near(ctx: TradeContext, _: None) -> list[tuple[Payment, float]]:
    out = []
    for p, usd in zip(ctx.trade.payments, ctx.paid_usd, strict=True):
        if not is_near_threshold(usd, ctx.rules):
            continue
        if payers.settles_for_buyer(ctx, p):
            continue
        if payers.is_buyer(ctx, p) and _on_schedule(ctx, p):
            continue
        out.append((p, usd))
    return out


def record(ctx: TradeContext, store: WindowStore, keys: Keys) -> None:
    """Feed the trade's payments and order into the windows (before the rules read them)."""
    order = ctx.trade.order
    for p, usd in unexplained_near(ctx):
        entry = Entry(p.paid_at, p.payment_id, order.order_id, usd, p.payer_name)
        store.add(NEAR, keys.scoped(payer_identity(p)), entry)
        store.add(NEAR, keys.scoped(beneficiary(ctx)), entry)
    flows = keys.flow_keys() if keys.exporter_group != keys.buyer_group else []
    # Within one group money passes through nobody.
    for p, usd in zip(ctx.trade.payments, ctx.paid_usd, strict=True) if flows else ():
        entry = Entry(p.paid_at, p.payment_id, order.order_id, usd, p.payer_name)
        for kind, key in flows:
            store.add(kind, key, entry)
    volume = Entry(order.ordered_at, order.order_id, order.order_id, ctx.amount_usd)
    store.add(VOLUME, keys.scoped(order.enterprise_id), volume)


def densest_span(entries: list[Entry], at: datetime, window: timedelta) -> list[Entry]:
    """The most entries that one window-long span holding `at` covers (entries sorted by time).

    Spans end at an entry from `at` on: documents screened out of order, a payment screened
    after later ones still completes their pattern, and the span ending at `at` itself is the
    count of an in-order arrival."""
    best: list[Entry] = []
    for end in entries:
        if end.at < at:
            continue
        if end.at - window >= at:
            break
        span = [e for e in entries if end.at - window < e.at <= end.at]
        if len(span) > len(best):
            best = span
    return best


def near_counts(ctx: TradeContext, store: WindowStore, keys: Keys) -> list[list[Entry]]:
    """For each unexplained near-threshold payment, the longer of its payer's and its buyer's
    near-threshold payments within a window that holds it."""
    window = days(ctx.rules.structuring.window_days)
    found = []
    for p, _ in unexplained_near(ctx):
        start, end = p.paid_at - window, p.paid_at + window
        by_payer = store.between(NEAR, keys.scoped(payer_identity(p)), start, end)
        by_buyer = store.between(NEAR, keys.scoped(beneficiary(ctx)), start, end)
        spans = (
            densest_span(by_payer, p.paid_at, window),
            densest_span(by_buyer, p.paid_at, window),
        )
        found.append(max(spans, key=len))
    return found


def structuring(ctx: TradeContext, store: WindowStore, keys: Keys) -> Hit | None:
    """Several unexplained payments just under the reporting threshold within the window, by one
    payer (whatever its accounts) or for one buyer (whoever pays)."""
    cfg = ctx.rules.structuring
    best = max(near_counts(ctx, store, keys), key=len, default=[])
    if not fires("structuring", {"near_threshold_count": len(best)}, ctx.rules):
        return None
    ev = Evidence(
        f"{len(best)} payments just under the reporting threshold within {cfg.window_days:g} days",
        tuple(DocRef("PAYMENT", e.doc_id) for e in best),
        {
            "threshold_usd": cfg.threshold_usd,
            "amounts_usd": [round(e.amount_usd, 2) for e in best],
            "payers": sorted({e.counterparty for e in best}),
            "order_ids": sorted({e.order_id for e in best}),
            "min_count": cfg.min_count,
        },
    )
    return hit("structuring", STRUCTURING, strength(len(best), cfg.min_count), ev)


def _passes(ctx: TradeContext, store: WindowStore, group: str, at: datetime) -> Hit | None:
    """Money into `group` within the window before `at` and paid on by it since the first of
    it came in, for about the same total: one in one out, many in one out, or the reverse."""
    cfg = ctx.rules.pass_through
    ins = store.between(INFLOW, group, at - days(cfg.window_days), at)
    if not ins:
        return None
    outs = [e for e in store.between(OUTFLOW, group, ins[0].at, at) if e.at >= ins[0].at]
    total_in, total_out = sum(e.amount_usd for e in ins), sum(e.amount_usd for e in outs)
    top = max(total_in, total_out)
    if not outs or min(total_in, total_out) < cfg.min_usd:
        return None
    if abs(total_in - total_out) > cfg.amount_rel_tol * top:
        return None
    return _pass_through_hit(ins, outs)


def rapid_pass_through(ctx: TradeContext, store: WindowStore, keys: Keys) -> Hit | None:
    """This trade's payment is money out of the buyer's group soon after as much came in - or,
    documents arriving out of order, money into the exporter's group that it had already paid on."""
    if keys.buyer_group == keys.exporter_group or not keys.flow_keys():
        return None
    window = days(ctx.rules.pass_through.window_days)
    buyer_group, exporter_group = keys.scoped(keys.buyer_group), keys.scoped(keys.exporter_group)
    for p in ctx.trade.payments:
        found = _passes(ctx, store, buyer_group, p.paid_at)
        for later in store.between(OUTFLOW, exporter_group, p.paid_at, p.paid_at + window):
            found = found or _passes(ctx, store, exporter_group, later.at)
        if found is not None:
            return found
    return None


def _pass_through_hit(ins: list[Entry], outs: list[Entry]) -> Hit:
    total_in, total_out = sum(e.amount_usd for e in ins), sum(e.amount_usd for e in outs)
    held = (outs[-1].at - ins[0].at).total_seconds() / 86_400
    ev = Evidence(
        f"Paid on {total_out:,.0f} USD in {len(outs)} payment(s) {held:.1f} days after its group "
        f"received {total_in:,.0f} USD in {len(ins)}",
        tuple(DocRef("PAYMENT", e.doc_id) for e in (*ins, *outs)),
        {
            "in_usd": round(total_in, 2),
            "out_usd": round(total_out, 2),
            "in_payments": len(ins),
            "out_payments": len(outs),
            "days_held": round(held, 2),
            "in_from": sorted({e.counterparty for e in ins}),
            "order_ids": sorted({e.order_id for e in (*ins, *outs)}),
        },
    )
    closeness = 1 - abs(total_in - total_out) / max(total_in, total_out)
    return hit("rapid_pass_through", RAPID_PASS_THROUGH, max(0.5, closeness), ev)


def recent_volume(ctx: TradeContext, store: WindowStore, keys: Keys) -> list[Entry]:
    order = ctx.trade.order
    start = order.ordered_at - days(ctx.rules.shell.volume_window_days)
    return store.between(VOLUME, keys.scoped(order.enterprise_id), start, order.ordered_at)


def volume_bar_usd(ctx: TradeContext) -> float:
    """Recent volume beyond a young, thin firm's capacity: the floor, or a multiple of its
    registered capital, whichever is larger - a small honest seller stays below it."""
    cfg, ent = ctx.rules.shell, ctx.enterprise
    capital_usd = ctx.reference.to_usd(ent.registered_capital_cny, "CNY") if ent else 0.0
    return max(cfg.volume_usd, cfg.capital_multiple * capital_usd)


def shell_exporter(ctx: TradeContext, store: WindowStore, keys: Keys) -> Hit | None:
    """A young, thinly capitalised exporter trading far beyond its capital."""
    cfg, ent, order = ctx.rules.shell, ctx.enterprise, ctx.trade.order
    if ent is None:
        return None
    age_days = (order.ordered_at - ent.registered_at).total_seconds() / 86_400
    if age_days > cfg.max_age_days:
        return None  # an established firm is no shell: spare the window look-up
    recent = recent_volume(ctx, store, keys)
    volume, bar = sum(e.amount_usd for e in recent), volume_bar_usd(ctx)
    signals = {
        "known_exporter": True,
        "enterprise_age_days": age_days,
        "registered_capital_cny": ent.registered_capital_cny,
        "employees": ent.employees,
        "recent_volume_usd": volume,
        "volume_bar_usd": bar,
    }
    if not fires("shell_exporter", signals, ctx.rules):
        return None
    ev = Evidence(
        f"Exporter {age_days:.0f} days old with {ent.registered_capital_cny:,.0f} CNY "
        f"capital traded {volume:,.0f} USD in {cfg.volume_window_days:g} days",
        (DocRef("ENTERPRISE", ent.enterprise_id), DocRef("ORDER", order.order_id)),
        {
            "age_days": round(age_days, 1),
            "capital_cny": ent.registered_capital_cny,
            "employees": ent.employees,
            "recent_volume_usd": round(volume, 2),
            "volume_bar_usd": round(bar, 2),
            "order_ids": [e.order_id for e in recent],
        },
    )
    return hit("shell_exporter", SHELL_EXPORTER, strength(volume, bar), ev)


def window_spans(rules: RuleSet) -> dict[str, timedelta]:
    """How far back each kind of window must reach for the behaviour rules of `rules`."""
    return {
        # Structuring reads a window back and forward from a payment.
        NEAR: timedelta(days=2 * rules.structuring.window_days),
        # Pass-through reads a window back from an outflow and forward from an inflow.
        INFLOW: timedelta(days=2 * rules.pass_through.window_days),
        OUTFLOW: timedelta(days=2 * rules.pass_through.window_days),
        VOLUME: timedelta(days=rules.shell.volume_window_days),
        LINE: timedelta(days=rules.pricing.line_window_days),
    }


def memory_windows(rules: RuleSet) -> MemoryWindows:
    """In-process windows long enough for every behaviour rule of `rules`."""
    return MemoryWindows(window_spans(rules), rules.structuring.max_payers)


def window_keys(trade: Trade, keys: Keys, volume: bool = True) -> set[tuple[str, str]]:
    """Every (kind, key) the behaviour rules read for `trade` (the exporter's volume only when
    `volume`: see :func:`volume_read`)."""
    wanted = {(NEAR, keys.scoped(payer_identity(p))) for p in trade.payments}
    wanted.add((NEAR, keys.scoped(f"buyer:{trade.order.buyer_id}")))
    for grouped, group in (
        (keys.exporter_grouped, keys.exporter_group),
        (keys.buyer_grouped, keys.buyer_group),
    ):
        if grouped:
            wanted |= {(INFLOW, keys.scoped(group)), (OUTFLOW, keys.scoped(group))}
    if volume:
        wanted.add((VOLUME, keys.scoped(trade.order.enterprise_id)))
    return wanted


def volume_read(trade: Trade, reference: ReferenceData, rules: RuleSet) -> bool:
    """Whether the shell-exporter rule reads the exporter's recent volume: only for a known
    exporter young and thin enough to be a shell (a model's features read it for all)."""
    ent = reference.enterprises.get(trade.order.enterprise_id)
    if ent is None:
        return False
    age_days = (trade.order.ordered_at - ent.registered_at).total_seconds() / 86_400
    cfg = rules.shell
    return age_days <= cfg.max_age_days and ent.registered_capital_cny <= cfg.max_capital_cny


def batch_since(trades: Sequence[Trade], rules: RuleSet) -> datetime:
    """The earliest moment any window of the batch's trades reaches back to."""
    moments = [t.order.ordered_at for t in trades]
    moments += [p.paid_at for t in trades for p in t.payments]
    return min(moments) - max(window_spans(rules).values())
