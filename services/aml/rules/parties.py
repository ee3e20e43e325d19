"""Rules on who the parties are: negative-list / sanctions screening (N1) of the exporter, the
buyer, every payer and every carrier; line of business (T1)."""

from __future__ import annotations

from collections.abc import Sequence

from services.aml.rules.base import DocRef, Evidence, Hit, Severity, hit
from services.aml.rules.context import TradeContext
from services.aml.rules.specs import fires
from services.aml.ruleset import NEGATIVE_LIST_PARTY, SHELL_EXPORTER, RuleSet
from services.aml.screening import Match, NameIndex


def prime_watchlist(contexts: Sequence[TradeContext], index: NameIndex, rules: RuleSet) -> None:
    """Search the watchlist for the names of a batch's parties in one pass before its rules run
    (see :meth:`NameIndex.prime`): the first time a name comes, that is most of its cost."""
    # The names `negative_list_party` screens.
    names: set[str] = set()
    for ctx in contexts:
        names.add(ctx.exporter.name)
        names.add(ctx.buyer.name)
        for p in ctx.trade.payments:
            names.add(p.payer_name)
        for w in ctx.trade.waybills:
            names.add(w.carrier)
    index.prime(names, rules.screening.threshold)


def negative_list_party(ctx: TradeContext, index: NameIndex) -> Hit | None:
    """A party whose name fuzzily matches a negative-list or sanctions entry: the exporter, the
    buyer, every payer and every carrier (a listed shipping line or forwarder is a listed party
    too), each by the name on the trade."""
    cfg = ctx.rules.screening
    threshold, must_match = cfg.threshold, cfg.country_must_match
    exporter, buyer = ctx.exporter, ctx.buyer
    # (role, document, name, match) per party whose name matches; most names match nothing, so
    # the parties are walked in place rather than gathered into tuples first.
    found: list[tuple[str, DocRef, str, Match]] = []
    if exporter.name:
        match = index.top_match(exporter.name, exporter.country, threshold, must_match)
        if match is not None:
            ref = DocRef("ENTERPRISE", exporter.party_id)
            found.append(("EXPORTER", ref, exporter.name, match))
    if buyer.name:
        match = index.top_match(buyer.name, buyer.country, threshold, must_match)
        if match is not None:
            found.append(("BUYER", DocRef("BUYER", buyer.party_id), buyer.name, match))
    for p in ctx.trade.payments:
        if p.payer_name:
            match = index.top_match(p.payer_name, p.payer_country, threshold, must_match)
            if match is not None:
                found.append(("PAYER", DocRef("PAYMENT", p.payment_id), p.payer_name, match))
    for w in ctx.trade.waybills:
        if w.carrier:
            match = index.top_match(w.carrier, "", threshold, must_match)
            if match is not None:
                found.append(("CARRIER", DocRef("WAYBILL", w.waybill_id), w.carrier, match))
    top = max(m.score for *_, m in found) if found else 0.0
    if not fires("negative_list_party", {"watchlist_score": top}, ctx.rules):
        return None
    sanctioned = any(m.list.upper() == "SANCTIONS" for *_, m in found)
    ev = Evidence(
        "A party matches the negative list or sanctions",
        (DocRef("ORDER", ctx.trade.order.order_id), *(d for _, d, _, _ in found)),
        {
            "matches": [
                {
                    "role": r,
                    "name": n,
                    "entry_id": m.entry_id,
                    "list": m.list,
                    "matched_name": m.matched_name,
                    "score": round(m.score, 4),
                }
                for r, _, n, m in found
            ],
            "threshold": cfg.threshold,
        },
    )
    severity = Severity.CRITICAL if sanctioned else Severity.HIGH
    return hit("negative_list_party", NEGATIVE_LIST_PARTY, top, ev, severity)


def line_of_business(ctx: TradeContext) -> Hit | None:
    """Goods outside the exporter's registered industry (HS chapter)."""
    ent, order = ctx.enterprise, ctx.trade.order
    outside = (
        ent is not None and bool(ent.industry_hs2) and order.hs_code[:2] != ent.industry_hs2[:2]
    )
    if ent is None or not fires("line_of_business", {"outside_industry": outside}, ctx.rules):
        return None
    ev = Evidence(
        "Goods outside the exporter's registered line of business",
        (DocRef("ENTERPRISE", ent.enterprise_id), DocRef("ORDER", order.order_id)),
        {"industry_hs2": ent.industry_hs2, "order_hs_code": order.hs_code},
    )
    return hit("line_of_business", SHELL_EXPORTER, 0.5, ev)
