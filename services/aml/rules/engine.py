"""Runs every per-trade rule of a rule set over one trade."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.aml.domain import Flow, ReferenceData, Trade
from services.aml.graph import Edge, PartyGroups, RoundTripIndex
from services.aml.rules import behaviour, documents, parties, pricing
from services.aml.rules.base import DocRef, Evidence, Hit, hit
from services.aml.rules.context import TradeContext, resolve
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

RULE_NAMES: tuple[str, ...] = (
    *(r.__name__ for r in DOCUMENT_RULES),
    "doc_weight_anomaly",
    "over_invoicing",
    "under_invoicing",
    "negative_list_party",
    "structuring",
    "rapid_pass_through",
    "shell_exporter",
    "round_trip",
)


@dataclass(slots=True)
class RuleEngine:
    """One rule set with the state its rules need: market reference, watchlist, history, flows."""

    rules: RuleSet
    reference: ReferenceData
    market: pricing.MarketReference
    names: NameIndex
    groups: PartyGroups
    history: behaviour.History
    round_trips: RoundTripIndex

    @classmethod
    def build(
        cls,
        rules: RuleSet,
        reference: ReferenceData,
        market: pricing.MarketReference,
        names: NameIndex,
    ) -> RuleEngine:
        grouping = [r for r in reference.relations if r.relation in rules.grouping.relations]
        return cls(
            rules,
            reference,
            market,
            names,
            PartyGroups(grouping),
            behaviour.History.for_rules(rules),
            RoundTripIndex(rules.round_trip),
        )

    def evaluate(self, trade: Trade, as_of: datetime) -> tuple[TradeContext, list[Hit]]:
        """All hits of the trade; feeds the trade into the history windows first."""
        ctx = resolve(trade, self.rules, self.reference, as_of)
        exporter_group = self.groups.find(trade.order.enterprise_id)
        buyer_group = self.groups.find(trade.order.buyer_id)
        self.history.record(ctx, exporter_group, buyer_group)
        found = [rule(ctx) for rule in DOCUMENT_RULES]
        found += [
            pricing.doc_weight_anomaly(ctx, self.market),
            pricing.over_invoicing(ctx, self.market),
            pricing.under_invoicing(ctx, self.market),
            parties.negative_list_party(ctx, self.names),
            behaviour.structuring(ctx, self.history),
            behaviour.rapid_pass_through(ctx, self.history, buyer_group, exporter_group),
            behaviour.shell_exporter(ctx, self.history),
            self.round_trip(ctx),
        ]
        return ctx, [h for h in found if h is not None]

    def order_edge(self, ctx: TradeContext) -> Edge:
        """The goods flow of the order, from the exporter's group to the buyer's group."""
        order = ctx.trade.order
        src, dst = self.groups.find(order.enterprise_id), self.groups.find(order.buyer_id)
        flow = Flow(
            order.enterprise_id,
            order.buyer_id,
            order.amount,
            order.currency,
            order.ordered_at,
            order.order_id,
        )
        return Edge(src, dst, order.ordered_at, ctx.amount_usd, order.order_id, flow)

    def round_trip(self, ctx: TradeContext) -> Hit | None:
        """Does this order close a loop of earlier orders among related parties (A6)?"""
        edge = self.order_edge(ctx)
        chain = self.round_trips.check_and_add(edge)
        if chain is None:
            return None
        loop = [*chain, edge]
        ev = Evidence(
            f"Order closes a loop of {len(loop)} flows among related parties",
            tuple(DocRef("ORDER", e.doc_id) for e in loop),
            {
                "members": [e.src for e in loop],
                "flows": [e.flow.to_dict() for e in loop],
                "order_ids": [e.doc_id for e in loop],
            },
        )
        return hit("round_trip", CIRCULAR_TRADING, 0.9, ev)
