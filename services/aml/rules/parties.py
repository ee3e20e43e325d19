"""Rules on who the parties are: negative-list / sanctions screening (N1) of the exporter, the
buyer, every payer and every carrier; line of business (T1)."""

from __future__ import annotations

from collections.abc import Sequence

from services.aml.rules.base import DocRef, Evidence, Hit, Severity, hit
from services.aml.rules.context import TradeContext
from services.aml.rules.specs import fires
from services.aml.ruleset import NEGATIVE_LIST_PARTY, SHELL_EXPORTER, RuleSet
from services.aml.screening import Match, NameIndex


def _named_parties(ctx: TradeContext) -> list[tuple[str, str, str, str, str]]:
    """(role, document type, document id, name, country) of every party named on the trade."""
    exporter, buyer = ctx.exporter, ctx.buyer
    parties = [
        ("EXPORTER", "ENTERPRISE", exporter.party_id, exporter.name, exporter.country),
        ("BUYER", "BUYER", buyer.party_id, buyer.name, buyer.country),
    ]
    parties += [
        ("PAYER", "PAYMENT", p.payment_id, p.payer_name, p.payer_country)
        for p in ctx.trade.payments
    ]
    # The carrier moves the goods: a listed shipping line or forwarder is a listed party too.
    parties += [("CARRIER", "WAYBILL", w.waybill_id, w.carrier, "") for w in ctx.trade.waybills]
    return [p for p in parties if p[3]]


def prime_watchlist(contexts: Sequence[TradeContext], index: NameIndex, rules: RuleSet) -> None:
    """Search the watchlist for the names of a batch's parties in one pass before its rules run
    (see :meth:`NameIndex.prime`): the first time a name comes, that is most of its cost."""
    # The names `_named_parties` gives, gathered without building its tuples.
    names: set[str] = set()
    for ctx in contexts:
        names.add(ctx.exporter.name)
        names.add(ctx.buyer.name)
        names.update(p.payer_name for p in ctx.trade.payments)
        names.update(w.carrier for w in ctx.trade.waybills)
    index.prime(names, rules.screening.threshold)


def negative_list_party(ctx: TradeContext, index: NameIndex) -> Hit | None:
    """A party whose name fuzzily matches a negative-list or sanctions entry."""
    cfg = ctx.rules.screening
    found: list[tuple[str, DocRef, str, Match]] = []
    for role, doc_type, doc_id, name, country in _named_parties(ctx):
        match = index.top_match(name, country, cfg.threshold, cfg.country_must_match)
        if match is not None:
            found.append((role, DocRef(doc_type, doc_id), name, match))
    top = max((m.score for *_, m in found), default=0.0)
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
