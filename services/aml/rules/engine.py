"""Runs every per-trade rule of a rule set over one trade."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.aml.domain import Flow, ReferenceData, Trade
from services.aml.graph import Edge, PartyGroups, RoundTripIndex
from services.aml.rules import behaviour, documents, parties, price_lines, pricing
from services.aml.rules.base import DocRef, Evidence, Hit, hit
from services.aml.rules.context import TradeContext, resolve
from services.aml.rules.history import WindowStore
from services.aml.ruleset import CIRCULAR_TRADING, RuleSet
from services.aml.screening import NameIndex

DocumentRule = Callable[[TradeContext], Hit | None]

DOCUMENT_RULES: tuple[DocumentRule, ...] = (
    documents.doc_amount_mismatch,
    documents.doc_currency_mismatch,
    documents.doc_quantity_mismatch,
    documents.doc_hs_mismatch,
    documents.doc_party_mismatch,
    documents.doc_date_order,
    documents.payment_without_contract,
    documents.phantom_shipment,
    documents.third_party_payer,
    documents.high_risk_jurisdiction,
    parties.line_of_business,
)


@dataclass(slots=True)
class RuleEngine:
    """One rule set with the state its rules need: market reference, watchlist, history, flows."""

    rules: RuleSet
    reference: ReferenceData
    market: pricing.MarketReference
    names: NameIndex
    groups: PartyGroups  # economic entities (ownership, shared account)
    related: PartyGroups  # entities and the firms sharing a director or address with them
    windows: WindowStore
    round_trips: RoundTripIndex
    related_round_trips: RoundTripIndex

    @classmethod
    def build(
        cls,
        rules: RuleSet,
        reference: ReferenceData,
        market: pricing.MarketReference,
        names: NameIndex,
        windows: WindowStore | None = None,
    ) -> RuleEngine:
        entity, related = _groupings(reference, rules)
        return cls(
            rules,
            reference,
            market,
            names,
            entity,
            related,
            windows or behaviour.memory_windows(rules),
            RoundTripIndex(rules.round_trip),
            RoundTripIndex(rules.round_trip),
        )

    def with_reference(self, reference: ReferenceData) -> RuleEngine:
        """The same rules, market, names, windows and loop index over other reference data."""
        entity, related = _groupings(reference, self.rules)
        return RuleEngine(
            self.rules,
            reference,
            self.market,
            self.names,
            entity,
            related,
            self.windows,
            self.round_trips,
            self.related_round_trips,
        )

    def keys(self, trade: Trade, tenant: str) -> behaviour.Keys:
        order, related = trade.order, self.related
        return behaviour.Keys(
            tenant,
            related.find(order.enterprise_id),
            related.find(order.buyer_id),
            related.is_grouped(order.enterprise_id),
            related.is_grouped(order.buyer_id),
        )

    def evaluate(
        self, trade: Trade, as_of: datetime, tenant: str = "", keys: behaviour.Keys | None = None
    ) -> tuple[TradeContext, list[Hit]]:
        """All hits of the trade; feeds the trade into the tenant's history windows first.
        `keys`: the trade's window keys when the caller has them already (`keys(trade, tenant)`)."""
        ctx = self.resolve(trade, as_of)
        if keys is None:
            keys = self.keys(trade, tenant)
        return ctx, self.evaluate_resolved(ctx, keys)

    def resolve(self, trade: Trade, as_of: datetime) -> TradeContext:
        """The trade's parties and figures resolved against this engine's reference data."""
        return resolve(trade, self.rules, self.reference, as_of)

    def evaluate_resolved(self, ctx: TradeContext, keys: behaviour.Keys) -> list[Hit]:
        """:meth:`evaluate` of a trade already resolved (:meth:`resolve`) with its keys."""
        behaviour.record(ctx, self.windows, keys)
        line = price_lines.observe(ctx, self.windows, keys, self.market).facts
        found = []
        for rule in DOCUMENT_RULES:  # a plain loop: most rules find nothing
            if (h := rule(ctx)) is not None:
                found.append(h)
        for h in (
            pricing.doc_weight_anomaly(ctx, self.market),
            pricing.over_invoicing(ctx, self.market, line),
            pricing.under_invoicing(ctx, self.market, line),
            parties.negative_list_party(ctx, self.names),
            behaviour.structuring(ctx, self.windows, keys),
            behaviour.rapid_pass_through(ctx, self.windows, keys),
            behaviour.shell_exporter(ctx, self.windows, keys),
            self.round_trip(ctx, keys),
        ):
            if h is not None:
                found.append(h)
        return found

    def order_edge(
        self, ctx: TradeContext, keys: behaviour.Keys, groups: PartyGroups, flow: Flow | None = None
    ) -> Edge:
        """The goods flow of the order, from the exporter's group to the buyer's group
        (`flow`: the order's flow when the caller has it already)."""
        order = ctx.trade.order
        src = keys.scoped(groups.find(order.enterprise_id))
        dst = keys.scoped(groups.find(order.buyer_id))
        if flow is None:
            flow = Flow(
                order.enterprise_id,
                order.buyer_id,
                order.amount,
                order.currency,
                order.ordered_at,
                order.order_id,
            )
        return Edge(src, dst, order.ordered_at, ctx.amount_usd, order.order_id, flow)

    def round_trip(self, ctx: TradeContext, keys: behaviour.Keys) -> Hit | None:
        """Does this order close a loop of the tenant's earlier orders, among economic entities
        or among related groups (A6/S7)?"""
        edge = self.order_edge(ctx, keys, self.groups)
        chain = self.round_trips.check_and_add(edge)
        # One order, one flow (never changed once built), whichever grouping it is seen in.
        related = self.order_edge(ctx, keys, self.related, edge.flow)
        chain_related = self.related_round_trips.check_and_add(related)
        if chain is None and chain_related is None:
            return None
        if chain is None:
            chain, edge = chain_related, related
        assert chain is not None
        loop = [*chain, edge]
        ev = Evidence(
            f"Order closes a loop of {len(loop)} flows among related parties",
            tuple(DocRef("ORDER", e.doc_id) for e in loop),
            {
                "members": [e.src.rsplit("\x1f", 1)[-1] for e in loop],
                "flows": [e.flow.to_dict() for e in loop],
                "order_ids": [e.doc_id for e in loop],
            },
        )
        return hit("round_trip", CIRCULAR_TRADING, 0.9, ev)


def _groupings(reference: ReferenceData, rules: RuleSet) -> tuple[PartyGroups, PartyGroups]:
    """Parties grouped into economic entities, and into related groups."""
    entity = [r for r in reference.relations if r.relation in rules.grouping.relations]
    related = [r for r in reference.relations if r.relation in rules.grouping.related_kinds()]
    return PartyGroups(entity), PartyGroups(related)
