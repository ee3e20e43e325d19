"""The facts one trade's rules share, resolved once per screening."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar, cast

from services.aml.domain import Declaration, Enterprise, Party, ReferenceData, Trade
from services.aml.rules.lots import Lots, summarise
from services.aml.ruleset import RuleSet

T = TypeVar("T")
A = TypeVar("A")

#: Customs refused these: such a declaration exports nothing and describes no goods.
REJECTED = "REJECTED"


def standing(declarations: tuple[Declaration, ...]) -> tuple[Declaration, ...]:
    """The declarations customs did not reject (a rejected one is usually lodged again)."""
    return tuple(d for d in declarations if d.customs_status != REJECTED)


@dataclass(slots=True, eq=False)
class TradeContext:
    """A trade with its parties resolved against reference data and the moment of screening.

    `trade` carries only the declarations that stand; `rejected` are those customs refused,
    set aside by every rule (their quantities, values and codes are not the export).

    Built for every screened trade, so slotted and not frozen (a frozen constructor costs
    several times as much); never changed once built, except the figures several rules derive
    from it, remembered on first use (see :meth:`memo`)."""

    trade: Trade
    rules: RuleSet
    reference: ReferenceData
    as_of: datetime
    exporter: Party
    buyer: Party
    enterprise: Enterprise | None
    # Several rules price the order in USD; converted once here.
    amount_usd: float
    # The lots declared and shipped and the payments, summed once here.
    lots: Lots
    rejected: tuple[Declaration, ...] = ()
    # Each payment's amount in USD, in the order of `trade.payments`.
    paid_usd: tuple[float, ...] = ()
    # Figures derived from the trade by the first rule that needs them (see `memo`).
    _memo: dict[object, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: object, compute: Callable[[TradeContext, A], T], arg: A) -> T:
        """`compute(self, arg)` the first time `key` is asked for on this trade, then the same
        value: several rules read one trade's market price or near-threshold payments."""
        try:
            return cast(T, self._memo[key])
        except KeyError:
            value = self._memo[key] = compute(self, arg)
            return value


def resolve(
    trade: Trade, rules: RuleSet, reference: ReferenceData, as_of: datetime
) -> TradeContext:
    """Fill the parties from the documents, else from the enterprises and buyers tables, and
    set rejected declarations aside."""
    rejected: tuple[Declaration, ...] = ()
    for d in trade.declarations:  # a plain loop: customs rejects few declarations
        if d.customs_status == REJECTED:
            rejected = tuple(d for d in trade.declarations if d.customs_status == REJECTED)
            trade = replace(trade, declarations=standing(trade.declarations))
            break
    order = trade.order
    enterprise = reference.enterprises.get(order.enterprise_id)
    exporter = trade.exporter or reference.exporter_party(order.enterprise_id)
    buyer = trade.buyer or reference.buyer_party(order.buyer_id)
    to_usd = reference.to_usd
    amount_usd = to_usd(order.amount, order.currency)
    paid_usd = tuple([to_usd(p.amount, p.currency) for p in trade.payments])
    lots = summarise(trade, reference, amount_usd, rules, paid_usd)
    return TradeContext(
        trade,
        rules,
        reference,
        as_of,
        exporter,
        buyer,
        enterprise,
        amount_usd,
        lots,
        rejected,
        paid_usd,
    )
